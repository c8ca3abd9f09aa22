#include "dataplane.h"

#include "kernel_tables.h"

#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "../ingress/membership.h"

namespace mcr {
namespace {

constexpr unsigned kUringEntries = 4096;
// A worker applies commands between ring blocks, so an acknowledgement takes about a
// block's work; this bound only matters if a worker is wedged.
constexpr auto kAckTimeout = std::chrono::seconds(5);

}  // namespace

int ResolveInterface(const std::string& name) { return static_cast<int>(if_nametoindex(name.c_str())); }

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kActive: return "active";
    case RunState::kPending: return "pending";
    case RunState::kError: return "error";
    case RunState::kResolving: return "resolving";
  }
  return "error";
}

bool DataPlane::RuleState::attached() const {
  for (const InputState& input : inputs) {
    if (input.attached) return true;
  }
  return false;
}

// An error wins over "attached": a rule whose filter could not be widened to let its
// traffic in gets nothing, and must not read as active. An input that failed while
// another works is the path's error (see Describe), not the rule's.
RunState DataPlane::RuleState::state() const {
  if (!filter_error.empty()) return RunState::kError;
  if (attached()) return RunState::kActive;
  for (const InputState& input : inputs) {
    if (!input.setup_error.empty()) return RunState::kError;
  }
  return RunState::kPending;
}

const std::string& DataPlane::RuleState::error() const {
  for (const InputState& input : inputs) {
    if (!input.setup_error.empty()) return input.setup_error;
  }
  return filter_error;
}

RunState DataPlane::OutputState::state() const {
  if (output) return output->waiting_for_neighbour() ? RunState::kResolving : RunState::kActive;
  return ifindex == 0 ? RunState::kPending : RunState::kError;
}

namespace {
const char* EgressName(const Output* output) {
  if (output == nullptr) return "";
  return output->kind() == EgressKind::kFrame ? "frame" : "socket";
}
}  // namespace

DataPlane::DataPlane(const DataPlaneOptions& options)
    : options_(options), rule_slots_(options.max_rules), output_slots_(options.max_outputs) {}

DataPlane::~DataPlane() { Shutdown(); }

std::unique_ptr<Backend> DataPlane::MakeBackend(BackendChoice choice, std::string* error) {
  if (choice != BackendChoice::kSyscalls) {
    std::string why;
    std::unique_ptr<Backend> backend = MakeUringBackend(kUringEntries, &why);
    if (backend) return backend;
    if (choice == BackendChoice::kIoUring) {
      *error = why + "; set backend = \"syscalls\" (or \"auto\") in [daemon]";
      return nullptr;
    }
    fallback_reason_ = why;
  }
  return MakeSyscallBackend();
}

std::unique_ptr<DataPlane> DataPlane::Create(const DataPlaneOptions& options, std::string* error) {
  if (options.workers == 0) {
    *error = "the data plane needs at least one worker";
    return nullptr;
  }
  std::unique_ptr<DataPlane> plane(new DataPlane(options));
  plane->counters_ = std::make_shared<CounterMemory>(options.workers, options.max_rules, options.max_outputs);
  for (uint32_t i = 0; i < options.workers; ++i) {
    std::unique_ptr<Backend> backend = plane->MakeBackend(options.backend, error);
    if (!backend) return nullptr;
    plane->backend_ = backend->name();
    const int cpu = options.cpus.empty() ? -1 : static_cast<int>(options.cpus[i % options.cpus.size()]);
    plane->workers_.push_back(std::make_unique<Worker>(i, cpu, std::move(backend), plane->counters_.get(),
                                                       options.max_rules));
    if (!plane->workers_.back()->commands().valid()) {
      *error = SysError("creating a worker's eventfd", errno);
      return nullptr;
    }
  }
  plane->last_sent_.assign(options.workers, 0);
  for (auto& worker : plane->workers_) worker->Start();
  return plane;
}

void DataPlane::Shutdown() {
  for (auto& worker : workers_) worker->Stop();
  workers_.clear();
  rules_.clear();
  memberships_.clear();
  catchers_.clear();
  ingress_.clear();
  graveyard_ = Graveyard{};
}

Status DataPlane::AddRule(const RuleSpec& spec) {
  if (rules_.count(spec.key) != 0) return Status::Error("rule " + spec.key + " is already running");
  if (spec.inputs.empty() || spec.inputs.size() > kMaxRuleInputs) {
    return Status::Error("rule " + spec.key + " must have 1 to " + std::to_string(kMaxRuleInputs) + " inputs");
  }
  if (rule_slots_.available() == 0) Reclaim();
  Status room = ReserveOutputSlots(spec.outputs.size());
  if (!room.ok) return room;
  auto rule = std::make_unique<RuleState>();
  if (!rule_slots_.Take(&rule->slot)) {
    return Status::Error("too many rules: the data plane has room for " + std::to_string(options_.max_rules));
  }
  rule->spec = spec;
  rule->spec.outputs.clear();
  rule->inputs.resize(spec.inputs.size());
  if (spec.has_policy) rule->policy = policies_.For(spec.policy, spec.inputs[0].interface);
  for (const OutputSpec& output_spec : spec.outputs) rule->outputs.push_back(NewOutput(output_spec));
  Attach(rule.get());
  rules_[spec.key] = std::move(rule);
  Settle();
  return Status::Ok();
}

Status DataPlane::ReplaceOutputs(const std::string& key, const std::vector<OutputSpec>& outputs,
                                 const PolicySpec* policy) {
  auto found = rules_.find(key);
  if (found == rules_.end()) return Status::Error("rule " + key + " is not running");
  RuleState& rule = *found->second;
  std::map<std::string, std::unique_ptr<OutputState>> old;
  for (auto& output : rule.outputs) old[output->spec.key] = std::move(output);
  size_t needed = 0;
  for (const OutputSpec& spec : outputs) needed += old.count(spec.key) == 0 ? 1 : 0;
  Status room = ReserveOutputSlots(needed);
  if (!room.ok) {
    for (auto& entry : old) rule.outputs.push_back(std::move(entry.second));
    return room;
  }
  std::vector<std::unique_ptr<OutputState>> next;
  for (const OutputSpec& spec : outputs) {
    auto kept = old.find(spec.key);
    // Same key, same socket, same counters: its datagrams are never interrupted.
    next.push_back(kept != old.end() ? std::move(kept->second) : NewOutput(spec));
    if (kept != old.end()) old.erase(kept);
  }
  rule.outputs = std::move(next);
  rule.spec.has_policy = policy != nullptr;
  if (policy != nullptr) rule.spec.policy = *policy;
  rule.policy = policy != nullptr ? policies_.For(*policy, rule.spec.inputs[0].interface) : nullptr;
  SendRule(rule);
  for (auto& entry : old) Bury(std::move(entry.second));
  Settle();
  return Status::Ok();
}

Status DataPlane::SetHealth(const std::string& key, const HealthSpec& health) {
  auto found = rules_.find(key);
  if (found == rules_.end()) return Status::Error("rule " + key + " is not running");
  RuleState& rule = *found->second;
  if (health.inputs != rule.spec.inputs.size()) return Status::Error("rule " + key + ": health settings for another number of inputs");
  rule.spec.health = health;
  SendRule(rule);
  Settle();
  return Status::Ok();
}

Status DataPlane::RemoveRule(const std::string& key) {
  auto found = rules_.find(key);
  if (found == rules_.end()) return Status::Error("rule " + key + " is not running");
  std::unique_ptr<RuleState> rule = std::move(found->second);
  rules_.erase(found);
  Detach(rule.get());
  for (auto& output : rule->outputs) Bury(std::move(output));
  graveyard_.rule_slots.push_back(rule->slot);
  Settle();
  return Status::Ok();
}

OutputContext DataPlane::Context() {
  if (!kernel_view_) kernel_view_ = std::make_unique<KernelView>();
  return OutputContext{&frame_channels_, kernel_view_.get()};
}

void DataPlane::Refresh() {
  kernel_view_.reset();  // this pass must see the change that asked for it
  for (auto& entry : rules_) {
    RuleState& rule = *entry.second;
    bool outputs_changed = false;
    for (auto& output : rule.outputs) {
      const int now = ResolveInterface(output->spec.interface);
      const bool same = now == output->ifindex && (output->output || now == 0);
      // A frame output also follows its MACs, MTU, source address and next hop.
      if (same && !(output->output && output->output->Outdated(output->spec, now, Context().kernel))) continue;
      // The old output may be in a worker's hands until the new rule is applied.
      if (output->output) graveyard_.outputs.push_back(std::move(output->output));
      OpenOutput(output.get());
      outputs_changed = true;
    }
    bool inputs_changed = false;
    for (size_t i = 0; i < rule.inputs.size(); ++i) {
      const int now = ResolveInterface(rule.spec.inputs[i].interface);
      InputState& input = rule.inputs[i];
      if (now == input.ifindex && (input.attached || now == 0)) continue;
      DetachInput(&rule, i);
      AttachInput(&rule, i);
      inputs_changed = true;
    }
    if (inputs_changed || outputs_changed) SendRule(rule);
  }
  Settle();
}

std::vector<RuleStatus> DataPlane::Describe() const {
  std::vector<RuleStatus> statuses;
  for (const auto& entry : rules_) {
    const RuleState& rule = *entry.second;
    RuleStatus status;
    status.key = rule.spec.key;
    status.slot = rule.slot;
    status.ifindex = rule.inputs.empty() ? 0 : rule.inputs[0].ifindex;
    status.state = rule.state();
    status.error = rule.error();
    for (const InputState& input : rule.inputs) {
      const RunState state = input.attached           ? RunState::kActive
                             : input.setup_error.empty() ? RunState::kPending
                                                         : RunState::kError;
      status.inputs.push_back(InputStatus{state, input.ifindex, input.setup_error});
    }
    for (const auto& output : rule.outputs) {
      status.outputs.push_back(
          OutputStatus{output->spec.key, output->slot, output->state(), output->error, EgressName(output->output.get())});
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

Status DataPlane::ReserveOutputSlots(size_t needed) {
  if (needed > output_slots_.available()) Reclaim();
  if (needed > output_slots_.available()) {
    return Status::Error("too many outputs: the data plane has room for " + std::to_string(options_.max_outputs));
  }
  return Status::Ok();
}

std::unique_ptr<DataPlane::OutputState> DataPlane::NewOutput(const OutputSpec& spec) {
  auto output = std::make_unique<OutputState>();
  output->spec = spec;
  output_slots_.Take(&output->slot);  // ReserveOutputSlots made sure there is one
  OpenOutput(output.get());
  return output;
}

void DataPlane::OpenOutput(OutputState* output) {
  output->error.clear();
  output->ifindex = ResolveInterface(output->spec.interface);
  output->output = output->ifindex == 0 ? nullptr
                                        : mcr::OpenOutput(output->spec, output->ifindex, output->slot, Context(),
                                                          &output->error);
}

Ingress* DataPlane::AcquireIngress(int ifindex, std::string* error) {
  auto found = ingress_.find(ifindex);
  if (found != ingress_.end()) return found->second.get();
  RingGeometry geometry{options_.ring_block_size, options_.ring_block_count, options_.ring_block_timeout_ms};
  std::unique_ptr<Ingress> ingress = Ingress::Open(ifindex, worker_count(), geometry, error);
  if (!ingress) return nullptr;
  for (size_t i = 0; i < workers_.size(); ++i) {
    Command command;
    command.kind = Command::Kind::kAttachRing;
    command.ring = ingress->ring(static_cast<uint32_t>(i));
    last_sent_[i] = workers_[i]->commands().Push(std::move(command));
  }
  Ingress* raw = ingress.get();
  ingress_[ifindex] = std::move(ingress);
  return raw;
}

void DataPlane::ReleaseIngress(int ifindex, const IpAddress& destination) {
  auto found = ingress_.find(ifindex);
  if (found == ingress_.end()) return;
  Ingress& ingress = *found->second;
  ingress.RemoveDestination(destination);
  if (!ingress.empty()) return;  // FlushFilters narrows its filter
  for (size_t i = 0; i < workers_.size(); ++i) {
    Command command;
    command.kind = Command::Kind::kDetachRing;
    command.ring = ingress.ring(static_cast<uint32_t>(i));
    last_sent_[i] = workers_[i]->commands().Push(std::move(command));
  }
  graveyard_.ingress.push_back(std::move(found->second));
  ingress_.erase(found);
}

void DataPlane::Bury(std::unique_ptr<OutputState> output) {
  if (!output) return;
  if (output->output) graveyard_.outputs.push_back(std::move(output->output));
  graveyard_.output_slots.push_back(output->slot);
}

void DataPlane::EndBatch() {
  batching_ = false;
  Settle();
}

void DataPlane::Settle() {
  if (batching_) return;
  kernel_view_.reset();
  // Workers know every new rule before its input's filter lets the traffic in.
  Sync();
  FlushFilters();
}

void DataPlane::Reclaim() {
  if (!graveyard_.rule_slots.empty() || !graveyard_.output_slots.empty()) Sync();
}

void DataPlane::FlushFilters() {
  for (auto& entry : ingress_) {
    Ingress& ingress = *entry.second;
    // Steering before the filter: a destination the filter now lets in already goes to
    // its home worker. Without it a rule with several inputs could decide in two places.
    std::string steering_error;
    const bool steered = !ingress.steering_stale() || ingress.UpdateSteering(&steering_error);
    if (!ingress.filter_stale() && steered) continue;
    std::string error;
    const bool updated = !ingress.filter_stale() || ingress.UpdateFilter(&error);
    for (auto& rule : rules_) {
      bool here = false;
      for (const InputState& input : rule.second->inputs) here = here || (input.attached && input.ifindex == entry.first);
      if (!here) continue;
      // A filter that now holds every destination clears an earlier failure. A failed
      // one marks the rules it should have let in; one left out of a narrower filter
      // still works (the old, wider filter is still attached).
      if (!steered && Steered(*rule.second) && IsAwaitingFilter(rule.first)) rule.second->filter_error = steering_error;
      else if (updated && steered) rule.second->filter_error.clear();
      else if (!updated && IsAwaitingFilter(rule.first)) rule.second->filter_error = error;
    }
  }
  awaiting_filter_.clear();
}

bool DataPlane::IsAwaitingFilter(const std::string& key) const {
  return std::find(awaiting_filter_.begin(), awaiting_filter_.end(), key) != awaiting_filter_.end();
}

void DataPlane::Sync() {
  const auto deadline = std::chrono::steady_clock::now() + kAckTimeout;
  for (size_t i = 0; i < workers_.size(); ++i) {
    while (workers_[i]->commands().applied() < last_sent_[i]) {
      if (std::chrono::steady_clock::now() > deadline) {
        // A wedged worker might still use what the graveyard holds: keep it (a leak)
        // rather than risk a use after free.
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  for (uint32_t slot : graveyard_.rule_slots) {
    counters_->ClearRule(slot);
    rule_slots_.Give(slot);
  }
  for (uint32_t slot : graveyard_.output_slots) {
    counters_->ClearOutput(slot);
    output_slots_.Give(slot);
  }
  graveyard_ = Graveyard{};
}

}  // namespace mcr
