// The native boundary of mcr: the only translation unit that includes napi.h. Each
// exported function checks its arguments (a TypeError with a plain message), copies
// them into the plain structs of dataplane/specs.h, and from there on no JS value is
// touched. Link events come back through one ThreadSafeFunction.
#include <napi.h>
#include <net/if.h>

#include <memory>
#include <string>

#include "dataplane/control/dataplane.h"
#include "dataplane/control/link_monitor.h"
#include "system/notify.h"
#include "version.h"

namespace mcr {
namespace {

[[noreturn]] void Fail(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsObject()) Fail(info.Env(), std::string(what) + " must be an object");
  return info[index].As<Napi::Object>();
}

std::string StringField(const Napi::Object& object, const char* name, const std::string& where) {
  Napi::Value value = object.Get(name);
  if (!value.IsString()) Fail(object.Env(), where + "." + name + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

uint32_t NumberField(const Napi::Object& object, const char* name, const std::string& where, uint32_t min,
                     uint32_t max, uint32_t fallback, bool required = true) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined() && !required) return fallback;
  if (!value.IsNumber()) Fail(object.Env(), where + "." + name + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min && number <= max) || number != static_cast<double>(static_cast<uint32_t>(number))) {
    Fail(object.Env(), where + "." + name + " must be an integer from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  return static_cast<uint32_t>(number);
}

std::string InterfaceField(const Napi::Object& object, const std::string& where) {
  std::string name = StringField(object, "interface", where);
  if (name.empty() || name.size() >= IFNAMSIZ) Fail(object.Env(), where + ".interface is not a valid interface name");
  return name;
}

// An IPv4 or IPv6 address as text, or null/undefined when optional (then the
// unspecified address).
IpAddress AddressField(const Napi::Object& object, const char* name, const std::string& where, bool required) {
  Napi::Value value = object.Get(name);
  if (!required && (value.IsUndefined() || value.IsNull())) return IpAddress();
  IpAddress address;
  if (!value.IsString() || !IpAddress::Parse(value.As<Napi::String>().Utf8Value().c_str(), &address)) {
    Fail(object.Env(), where + "." + name + " must be an IPv4 or IPv6 address");
  }
  return address;
}

// "auto" (the default: frame on Ethernet interfaces, socket elsewhere), "frame" or
// "socket".
EgressKind EgressField(const Napi::Object& object, const std::string& where) {
  Napi::Value value = object.Get("egress");
  if (value.IsUndefined()) return EgressKind::kAuto;
  const std::string kind = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (kind == "auto") return EgressKind::kAuto;
  if (kind == "frame") return EgressKind::kFrame;
  if (kind == "socket") return EgressKind::kSocket;
  Fail(object.Env(), where + ".egress must be \"auto\", \"frame\" or \"socket\"");
}

// sourceAddress: null/undefined (the interface's address), "preserve" (the sender's),
// or an address.
void SourceField(const Napi::Object& object, const std::string& where, OutputSpec* output) {
  Napi::Value value = object.Get("sourceAddress");
  if (value.IsString() && value.As<Napi::String>().Utf8Value() == "preserve") {
    output->source = SourceChoice::kPreserve;
    return;
  }
  output->source_address = AddressField(object, "sourceAddress", where, false);
  output->source = output->source_address.IsUnspecified() ? SourceChoice::kInterface : SourceChoice::kAddress;
}

std::vector<OutputSpec> OutputsArg(Napi::Env env, Napi::Value value, const std::string& where) {
  if (!value.IsArray()) Fail(env, where + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<OutputSpec> outputs;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) Fail(env, at + " must be an object");
    Napi::Object object = item.As<Napi::Object>();
    OutputSpec output;
    output.key = StringField(object, "key", at);
    output.interface = InterfaceField(object, at);
    output.egress = EgressField(object, at);
    output.group = AddressField(object, "group", at, true);
    output.port = static_cast<uint16_t>(NumberField(object, "port", at, 1, 65535, 0));
    output.ttl = static_cast<uint8_t>(NumberField(object, "ttl", at, 1, 255, 0));
    output.dscp = static_cast<uint8_t>(NumberField(object, "dscp", at, 0, 63, 0, false));
    SourceField(object, at, &output);
    output.directed = object.Get("directed").ToBoolean().Value();
    outputs.push_back(std::move(output));
  }
  return outputs;
}

// One input: interface, group, port, source (optional), timeoutMs (optional, 0 = none).
InputSpec InputArg(const Napi::Object& object, const std::string& where) {
  InputSpec input;
  input.interface = InterfaceField(object, where);
  input.group = AddressField(object, "group", where, true);
  input.port = static_cast<uint16_t>(NumberField(object, "port", where, 1, 65535, 0));
  input.source = AddressField(object, "source", where, false);
  input.timeout_ms = NumberField(object, "timeoutMs", where, 0, 3'600'000, 0, false);
  return input;
}

// rule.inputs (1 to kMaxRuleInputs), or the older flat form: rule.interface, group, port,
// source.
std::vector<InputSpec> InputsArg(const Napi::Object& rule) {
  Napi::Env env = rule.Env();
  Napi::Value value = rule.Get("inputs");
  if (value.IsUndefined()) return {InputArg(rule, "rule")};
  if (!value.IsArray()) Fail(env, "rule.inputs must be an array");
  Napi::Array array = value.As<Napi::Array>();
  if (array.Length() < 1 || array.Length() > kMaxRuleInputs) {
    Fail(env, "rule.inputs must hold 1 to " + std::to_string(kMaxRuleInputs) + " inputs");
  }
  std::vector<InputSpec> inputs;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string at = "rule.inputs[" + std::to_string(i) + "]";
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) Fail(env, at + " must be an object");
    inputs.push_back(InputArg(item.As<Napi::Object>(), at));
  }
  return inputs;
}

template <typename T>
T EnumField(const Napi::Object& object, const char* name, const std::string& where,
            const std::vector<std::pair<const char*, T>>& values, T fallback) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined() || value.IsNull()) return fallback;
  const std::string text = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  std::string allowed;
  for (const auto& [spelling, result] : values) {
    if (text == spelling) return result;
    allowed += (allowed.empty() ? "\"" : ", \"") + std::string(spelling) + "\"";
  }
  Fail(object.Env(), where + "." + name + " must be one of " + allowed);
}

// rule.health (optional): payload, clockRate, redundancy, revertAfterMs (null: never),
// mergeWindowMs; the timeouts come from the inputs.
HealthSpec HealthArg(const Napi::Object& rule, const std::vector<InputSpec>& inputs) {
  HealthSpec health;
  health.inputs = static_cast<uint32_t>(inputs.size());
  for (size_t i = 0; i < inputs.size() && i < kMaxRuleInputs; ++i) health.timeout_ms[i] = inputs[i].timeout_ms;
  Napi::Value value = rule.Get("health");
  if (value.IsUndefined() || value.IsNull()) return health;
  if (!value.IsObject()) Fail(rule.Env(), "rule.health must be an object");
  Napi::Object object = value.As<Napi::Object>();
  const std::string where = "rule.health";
  health.payload = EnumField<PayloadKind>(object, "payload", where,
                                          {{"none", PayloadKind::kNone}, {"rtp", PayloadKind::kRtp},
                                           {"mpegts", PayloadKind::kMpegTs}, {"rtp-mpegts", PayloadKind::kRtpMpegTs},
                                           {"auto", PayloadKind::kAuto}},
                                          PayloadKind::kNone);
  health.clock_rate = NumberField(object, "clockRate", where, 0, 10'000'000, 0, false);
  health.redundancy = EnumField<Redundancy>(
      object, "redundancy", where,
      {{"none", Redundancy::kNone}, {"failover", Redundancy::kFailover}, {"merge", Redundancy::kMerge}},
      Redundancy::kNone);
  Napi::Value revert = object.Get("revertAfterMs");
  health.revert_after_ms =
      revert.IsNull() || revert.IsUndefined() ? kRevertNever : NumberField(object, "revertAfterMs", where, 0, 86'400'000, 0);
  health.merge_window_ms = NumberField(object, "mergeWindowMs", where, 0, 10'000, 0, false);
  if (health.redundancy != Redundancy::kNone && inputs.size() < 2) {
    Fail(rule.Env(), where + ".redundancy needs two or more inputs");
  }
  return health;
}

std::vector<AddressPrefix> PrefixesArg(const Napi::Object& object, const char* name, const std::string& where) {
  Napi::Value value = object.Get(name);
  std::vector<AddressPrefix> prefixes;
  if (value.IsUndefined()) return prefixes;
  if (!value.IsArray()) Fail(object.Env(), where + "." + name + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string at = where + "." + name + "[" + std::to_string(i) + "]";
    if (!array.Get(i).IsObject()) Fail(object.Env(), at + " must be an object");
    Napi::Object item = array.Get(i).As<Napi::Object>();
    AddressPrefix prefix;
    const IpAddress address = AddressField(item, "address", at, true);
    if (!AddressPrefix::Make(address, NumberField(item, "length", at, 0, 128, 0), &prefix)) {
      Fail(object.Env(), at + ".length is longer than its address");
    }
    prefixes.push_back(prefix);
  }
  return prefixes;
}

// A reflector flow's checks: { group, allow, deny, ratePps, rateBurst, loopWindowMs };
// false when value is undefined or null (an ordinary rule).
bool PolicyArg(Napi::Env env, Napi::Value value, const std::string& where, PolicySpec* policy) {
  if (value.IsUndefined() || value.IsNull()) return false;
  if (!value.IsObject()) Fail(env, where + " must be an object");
  Napi::Object object = value.As<Napi::Object>();
  policy->group = StringField(object, "group", where);
  policy->allow = PrefixesArg(object, "allow", where);
  policy->deny = PrefixesArg(object, "deny", where);
  policy->rate_pps = NumberField(object, "ratePps", where, 0, TokenBucket::kMaxBurst, 0, false);
  policy->rate_burst = NumberField(object, "rateBurst", where, 0, TokenBucket::kMaxBurst, 0, false);
  policy->loop_window_ms = NumberField(object, "loopWindowMs", where, 0, 60'000, 0, false);
  return true;
}

Napi::Object StatusObject(Napi::Env env, const RuleStatus& status) {
  Napi::Object rule = Napi::Object::New(env);
  rule.Set("key", status.key);
  rule.Set("slot", status.slot);
  rule.Set("state", RunStateName(status.state));
  rule.Set("error", status.error);
  rule.Set("ifindex", status.ifindex);
  Napi::Array inputs = Napi::Array::New(env, status.inputs.size());
  for (size_t i = 0; i < status.inputs.size(); ++i) {
    Napi::Object input = Napi::Object::New(env);
    input.Set("state", RunStateName(status.inputs[i].state));
    input.Set("ifindex", status.inputs[i].ifindex);
    input.Set("error", status.inputs[i].error);
    inputs.Set(static_cast<uint32_t>(i), input);
  }
  rule.Set("inputs", inputs);
  Napi::Array outputs = Napi::Array::New(env, status.outputs.size());
  for (size_t i = 0; i < status.outputs.size(); ++i) {
    Napi::Object output = Napi::Object::New(env);
    output.Set("key", status.outputs[i].key);
    output.Set("slot", status.outputs[i].slot);
    output.Set("state", RunStateName(status.outputs[i].state));
    output.Set("error", status.outputs[i].error);
    output.Set("egress", status.outputs[i].egress);
    outputs.Set(static_cast<uint32_t>(i), output);
  }
  rule.Set("outputs", outputs);
  return rule;
}

Napi::Array Names(Napi::Env env, const char* (*name)(uint32_t), uint32_t count) {
  Napi::Array names = Napi::Array::New(env, count);
  for (uint32_t i = 0; i < count; ++i) names.Set(i, name(i));
  return names;
}

class DataPlaneWrap : public Napi::ObjectWrap<DataPlaneWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DataPlane",
                       {InstanceMethod<&DataPlaneWrap::AddRule>("addRule"),
                        InstanceMethod<&DataPlaneWrap::ReplaceOutputs>("replaceOutputs"),
                        InstanceMethod<&DataPlaneWrap::SetHealth>("setHealth"),
                        InstanceMethod<&DataPlaneWrap::RemoveRule>("removeRule"),
                        InstanceMethod<&DataPlaneWrap::BeginBatch>("beginBatch"),
                        InstanceMethod<&DataPlaneWrap::EndBatch>("endBatch"),
                        InstanceMethod<&DataPlaneWrap::Refresh>("refresh"),
                        InstanceMethod<&DataPlaneWrap::Describe>("describe"),
                        InstanceMethod<&DataPlaneWrap::Counters>("counters"),
                        InstanceMethod<&DataPlaneWrap::Info>("info"),
                        InstanceMethod<&DataPlaneWrap::Close>("close")});
  }

  // new DataPlane(options, onLinkEvent)
  explicit DataPlaneWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DataPlaneWrap>(info) {
    Napi::Env env = info.Env();
    const DataPlaneOptions options = OptionsArg(ObjectArg(info, 0, "options"));
    if (info.Length() < 2 || !info[1].IsFunction()) Fail(env, "onLinkEvent must be a function");
    std::string error;
    plane_ = DataPlane::Create(options, &error);
    if (!plane_) throw Napi::Error::New(env, error);
    StartLinkMonitor(env, info[1].As<Napi::Function>());
  }

  ~DataPlaneWrap() override { Shutdown(); }

 private:
  static DataPlaneOptions OptionsArg(const Napi::Object& object) {
    Napi::Env env = object.Env();
    DataPlaneOptions options;
    options.workers = NumberField(object, "workers", "options", 1, 256, 1);
    Napi::Value cpus = object.Get("cpus");
    if (cpus.IsArray()) {
      Napi::Array list = cpus.As<Napi::Array>();
      for (uint32_t i = 0; i < list.Length(); ++i) {
        Napi::Value cpu = list.Get(i);
        if (!cpu.IsNumber()) Fail(env, "options.cpus must hold numbers");
        options.cpus.push_back(cpu.As<Napi::Number>().Uint32Value());
      }
    } else if (!cpus.IsUndefined() && !cpus.IsNull()) {
      Fail(env, "options.cpus must be an array");
    }
    const std::string backend = object.Get("backend").IsUndefined() ? "auto" : StringField(object, "backend", "options");
    if (backend == "io_uring") options.backend = BackendChoice::kIoUring;
    else if (backend == "syscalls") options.backend = BackendChoice::kSyscalls;
    else if (backend != "auto") Fail(env, "options.backend must be \"auto\", \"io_uring\" or \"syscalls\"");
    options.max_rules = NumberField(object, "maxRules", "options", 1, 1 << 20, options.max_rules, false);
    options.max_outputs = NumberField(object, "maxOutputs", "options", 1, 1 << 22, options.max_outputs, false);
    // ringMs: the ring's depth in milliseconds of a slow stream (one block per timeout).
    options.ring_block_count = NumberField(object, "ringMs", "options", 2, 4096, options.ring_block_count, false);
    options.ring_block_count = NumberField(object, "ringBlocks", "options", 2, 4096, options.ring_block_count, false);
    options.ring_block_size = NumberField(object, "ringBlockSize", "options", 4096, 1u << 22, options.ring_block_size, false);
    if ((options.ring_block_size & (options.ring_block_size - 1)) != 0) Fail(env, "options.ringBlockSize must be a power of two");
    options.ring_block_timeout_ms = NumberField(object, "ringBlockTimeoutMs", "options", 1, 1000, options.ring_block_timeout_ms, false);
    return options;
  }

  // Link events come from the monitor's thread and are handed to JS through the TSFN.
  void StartLinkMonitor(Napi::Env env, Napi::Function callback) {
    std::string error;
    events_ = Napi::ThreadSafeFunction::New(env, callback, "mcr-link-events", 0, 1);
    events_.Unref(env);  // link events alone must not keep the process alive
    monitor_ = LinkMonitor::Start(
        [this](const LinkEvent& event) {
          events_.NonBlockingCall(new LinkEvent(event), [](Napi::Env js, Napi::Function callback, LinkEvent* data) {
            std::unique_ptr<LinkEvent> owned(data);
            Napi::Object out = Napi::Object::New(js);
            out.Set("kind", owned->kind == LinkEvent::Kind::kLink      ? "link"
                            : owned->kind == LinkEvent::Kind::kAddress ? "address"
                                                                       : "neighbour");
            out.Set("ifindex", owned->ifindex);
            out.Set("name", owned->name);
            out.Set("removed", owned->removed);
            out.Set("up", owned->up);
            out.Set("running", owned->running);
            callback.Call({out});
          });
        },
        &error);
    if (!monitor_) {
      events_.Release();
      throw Napi::Error::New(env, error);
    }
  }

  DataPlane& Plane(Napi::Env env) {
    if (!plane_) throw Napi::Error::New(env, "the data plane is closed");
    return *plane_;
  }

  static void Check(Napi::Env env, const Status& status) {
    if (!status.ok) throw Napi::Error::New(env, status.message);
  }

  Napi::Value AddRule(const Napi::CallbackInfo& info) {
    Napi::Object object = ObjectArg(info, 0, "rule");
    RuleSpec spec;
    spec.key = StringField(object, "key", "rule");
    spec.inputs = InputsArg(object);
    spec.health = HealthArg(object, spec.inputs);
    spec.outputs = OutputsArg(info.Env(), object.Get("outputs"), "rule.outputs");
    spec.has_policy = PolicyArg(info.Env(), object.Get("policy"), "rule.policy", &spec.policy);
    Check(info.Env(), Plane(info.Env()).AddRule(spec));
    return info.Env().Undefined();
  }

  Napi::Value ReplaceOutputs(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[0].IsString()) Fail(info.Env(), "replaceOutputs(key, outputs): key must be a string");
    const std::vector<OutputSpec> outputs = OutputsArg(info.Env(), info[1], "outputs");
    PolicySpec policy;
    const bool has_policy = info.Length() > 2 && PolicyArg(info.Env(), info[2], "policy", &policy);
    Check(info.Env(), Plane(info.Env()).ReplaceOutputs(info[0].As<Napi::String>().Utf8Value(), outputs,
                                                       has_policy ? &policy : nullptr));
    return info.Env().Undefined();
  }

  // setHealth(rule): the rule's (by key) new health settings; its inputs give the
  // timeouts and must be the ones it runs with.
  Napi::Value SetHealth(const Napi::CallbackInfo& info) {
    Napi::Object object = ObjectArg(info, 0, "rule");
    const std::string key = StringField(object, "key", "rule");
    const std::vector<InputSpec> inputs = InputsArg(object);
    Check(info.Env(), Plane(info.Env()).SetHealth(key, HealthArg(object, inputs)));
    return info.Env().Undefined();
  }

  Napi::Value RemoveRule(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsString()) Fail(info.Env(), "removeRule(key): key must be a string");
    Check(info.Env(), Plane(info.Env()).RemoveRule(info[0].As<Napi::String>().Utf8Value()));
    return info.Env().Undefined();
  }

  Napi::Value BeginBatch(const Napi::CallbackInfo& info) {
    Plane(info.Env()).BeginBatch();
    return info.Env().Undefined();
  }

  Napi::Value EndBatch(const Napi::CallbackInfo& info) {
    Plane(info.Env()).EndBatch();
    return info.Env().Undefined();
  }

  Napi::Value Refresh(const Napi::CallbackInfo& info) {
    Plane(info.Env()).Refresh();
    return info.Env().Undefined();
  }

  Napi::Value Describe(const Napi::CallbackInfo& info) {
    const std::vector<RuleStatus> statuses = Plane(info.Env()).Describe();
    Napi::Array out = Napi::Array::New(info.Env(), statuses.size());
    for (size_t i = 0; i < statuses.size(); ++i) out.Set(static_cast<uint32_t>(i), StatusObject(info.Env(), statuses[i]));
    return out;
  }

  // The counters, shared with the workers: the same ArrayBuffer every time, no copy.
  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (counter_buffer_.IsEmpty()) {
      auto* owner = new std::shared_ptr<CounterMemory>(Plane(env).counters());
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
          env, (*owner)->data(), (*owner)->size_bytes(),
          [](Napi::Env, void*, std::shared_ptr<CounterMemory>* hint) { delete hint; }, owner);
      counter_buffer_ = Napi::Persistent(buffer);
    }
    return counter_buffer_.Value();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    DataPlane& plane = Plane(env);
    Napi::Object out = Napi::Object::New(env);
    out.Set("backend", plane.backend());
    out.Set("fallbackReason", plane.fallback_reason());
    out.Set("workers", plane.worker_count());
    out.Set("blockWords", static_cast<double>(plane.counters()->block_words()));
    out.Set("maxRules", plane.max_rules());
    out.Set("maxOutputs", plane.counters()->max_outputs());
    out.Set("maxInputs", kMaxRuleInputs);
    out.Set("pathCounters", Names(env, PathCounterName, kPathCounterCount));
    out.Set("workerCounters", Names(env, WorkerCounterName, kWorkerCounterCount));
    out.Set("ruleCounters", Names(env, RuleCounterName, kRuleCounterCount));
    out.Set("outputCounters", Names(env, OutputCounterName, kOutputCounterCount));
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  // Stops the link thread before the TSFN it calls, and the workers before the rings.
  void Shutdown() {
    if (monitor_) monitor_.reset();
    if (plane_) {
      plane_.reset();
      events_.Release();
    }
  }

  std::unique_ptr<DataPlane> plane_;
  std::unique_ptr<LinkMonitor> monitor_;
  Napi::ThreadSafeFunction events_;
  Napi::Reference<Napi::ArrayBuffer> counter_buffer_;
};

Napi::Object Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("addon", Napi::String::New(env, kAddonVersion));
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  out.Set("cplusplus", Napi::Number::New(env, static_cast<double>(__cplusplus)));
  return out;
}

// notify(socketPath, message): one sd_notify datagram; throws when it cannot be sent.
Napi::Value Notify(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    Fail(info.Env(), "notify(socketPath, message) takes two strings");
  }
  std::string error;
  if (!SendNotification(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(), &error)) {
    throw Napi::Error::New(info.Env(), error);
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("notify", Napi::Function::New(env, Notify, "notify"));
  exports.Set("DataPlane", DataPlaneWrap::Define(env));
  return exports;
}

}  // namespace
}  // namespace mcr

// NODE_API_MODULE pastes its argument into a name, so it needs an unqualified one.
static Napi::Object InitMcr(Napi::Env env, Napi::Object exports) { return mcr::Init(env, exports); }
NODE_API_MODULE(mcr_native, InitMcr)
