#include "dataplane.h"

#include <net/if.h>

#include <chrono>
#include <thread>

#include "sockets.h"

namespace mcr {
namespace {

constexpr unsigned kUringEntries = 4096;
// A worker applies commands between ring blocks, so an acknowledgement takes about a
// block's work; this bound only matters if a worker is wedged.
constexpr auto kAckTimeout = std::chrono::seconds(5);

int ResolveInterface(const std::string& name) { return static_cast<int>(if_nametoindex(name.c_str())); }

FlowKey KeyOf(const RuleSpec& spec, int ifindex) {
  return FlowKey{static_cast<uint32_t>(ifindex), spec.group, spec.port, spec.source};
}

}  // namespace

DataPlane::DataPlane(const DataPlaneOptions& options)
    : options_(options), rule_slots_(options.max_rules), output_slots_(options.max_outputs) {}

DataPlane::~DataPlane() { Shutdown(); }

std::unique_ptr<DataPlane> DataPlane::Create(const DataPlaneOptions& options, std::string* error) {
  if (options.workers == 0) {
    *error = "the data plane needs at least one worker";
    return nullptr;
  }
  std::unique_ptr<DataPlane> plane(new DataPlane(options));
  plane->counters_ = std::make_shared<CounterMemory>(options.workers, options.max_rules, options.max_outputs);
  for (uint32_t i = 0; i < options.workers; ++i) {
    std::unique_ptr<Backend> backend;
    if (options.backend != BackendChoice::kSyscalls) {
      std::string why;
      backend = MakeUringBackend(kUringEntries, &why);
      if (!backend && options.backend == BackendChoice::kIoUring) {
        *error = why + "; set backend = \"syscalls\" (or \"auto\") in [daemon]";
        return nullptr;
      }
      if (!backend) plane->fallback_reason_ = why;
    }
    if (!backend) backend = MakeSyscallBackend();
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
  if (spec.outputs.size() > output_slots_.available() || rule_slots_.available() == 0) Reclaim();
  if (spec.outputs.size() > output_slots_.available()) {
    return Status::Error("too many outputs: the data plane has room for " + std::to_string(options_.max_outputs));
  }
  auto rule = std::make_unique<RuleState>();
  if (!rule_slots_.Take(&rule->slot)) {
    return Status::Error("too many rules: the data plane has room for " + std::to_string(options_.max_rules));
  }
  rule->spec = spec;
  rule->spec.outputs.clear();
  for (const OutputSpec& output_spec : spec.outputs) {
    auto output = std::make_unique<OutputState>();
    output->spec = output_spec;
    output_slots_.Take(&output->slot);
    OpenOutput(output.get());
    rule->outputs.push_back(std::move(output));
  }
  Attach(rule.get());
  rules_[spec.key] = std::move(rule);
  Settle();
  return Status::Ok();
}

Status DataPlane::ReplaceOutputs(const std::string& key, const std::vector<OutputSpec>& outputs) {
  auto found = rules_.find(key);
  if (found == rules_.end()) return Status::Error("rule " + key + " is not running");
  RuleState& rule = *found->second;
  std::map<std::string, std::unique_ptr<OutputState>> old;
  size_t needed = 0;
  for (const OutputSpec& spec : outputs) {
    bool exists = false;
    for (const auto& output : rule.outputs) exists = exists || output->spec.key == spec.key;
    needed += exists ? 0 : 1;
  }
  if (needed > output_slots_.available()) Reclaim();
  if (needed > output_slots_.available()) {
    return Status::Error("too many outputs: the data plane has room for " + std::to_string(options_.max_outputs));
  }
  for (auto& output : rule.outputs) old[output->spec.key] = std::move(output);
  std::vector<std::unique_ptr<OutputState>> next;
  for (const OutputSpec& spec : outputs) {
    auto kept = old.find(spec.key);
    if (kept != old.end()) {
      // Same key, same socket, same counters: its datagrams are never interrupted.
      next.push_back(std::move(kept->second));
      old.erase(kept);
      continue;
    }
    auto output = std::make_unique<OutputState>();
    output->spec = spec;
    output_slots_.Take(&output->slot);
    OpenOutput(output.get());
    next.push_back(std::move(output));
  }
  rule.outputs = std::move(next);
  SendRule(rule);
  for (auto& entry : old) Bury(std::move(entry.second));
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

void DataPlane::Refresh() {
  for (auto& entry : rules_) {
    RuleState& rule = *entry.second;
    bool outputs_changed = false;
    for (auto& output : rule.outputs) {
      const int now = ResolveInterface(output->spec.interface);
      if (now == output->ifindex && (output->fd.valid() || now == 0)) continue;
      // The old socket may be in a worker's hands until the new rule is applied.
      graveyard_.fds.push_back(std::move(output->fd));
      OpenOutput(output.get());
      outputs_changed = true;
    }
    const int input = ResolveInterface(rule.spec.interface);
    if (input != rule.ifindex || (!rule.attached && input != 0)) {
      Detach(&rule);
      Attach(&rule);
    } else if (outputs_changed) {
      SendRule(rule);
    }
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
    status.ifindex = rule.ifindex;
    status.error = rule.error;
    status.state = rule.attached ? "active" : !rule.error.empty() ? "error" : "pending";
    for (const auto& output : rule.outputs) {
      const char* state = output->fd.valid() ? "active" : output->ifindex == 0 ? "pending" : "error";
      status.outputs.push_back(OutputStatus{output->spec.key, output->slot, state, output->error});
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

void DataPlane::OpenOutput(OutputState* output) {
  output->error.clear();
  output->ifindex = ResolveInterface(output->spec.interface);
  output->fd = output->ifindex == 0 ? Fd() : OpenOutputSocket(output->spec, output->ifindex, &output->error);
}

void DataPlane::Attach(RuleState* rule) {
  rule->error.clear();
  rule->ifindex = ResolveInterface(rule->spec.interface);
  if (rule->ifindex == 0) return;  // pending: Refresh() attaches it when it appears
  std::string error;
  Ingress* ingress = AcquireIngress(rule->ifindex, &error);
  if (ingress == nullptr) {
    rule->error = error;
    return;
  }
  if (!AcquireGroup(*rule, rule->ifindex, &error)) {
    rule->error = error;
    ReleaseIngress(rule->ifindex, rule->spec.group);
    return;
  }
  rule->attached = true;
  // Workers learn the rule before the kernel filter lets its traffic through.
  SendRule(*rule);
  ingress->AddDestination(rule->spec.group);
  awaiting_filter_.push_back(rule->spec.key);
}

void DataPlane::Detach(RuleState* rule) {
  if (!rule->attached) return;
  Broadcast(Command::Kind::kRemoveRule, *rule);
  ReleaseGroup(*rule);
  ReleaseIngress(rule->ifindex, rule->spec.group);
  rule->attached = false;
}

void DataPlane::SendRule(const RuleState& rule) {
  if (rule.attached) Broadcast(Command::Kind::kSetRule, rule);
}

void DataPlane::Broadcast(Command::Kind kind, const RuleState& rule) {
  for (size_t i = 0; i < workers_.size(); ++i) {
    Command command;
    command.kind = kind;
    command.key = KeyOf(rule.spec, rule.ifindex);
    command.rule_slot = rule.slot;
    if (kind == Command::Kind::kSetRule) {
      for (const auto& output : rule.outputs) {
        if (!output->fd.valid()) continue;
        auto queue = std::make_unique<OutputQueue>();
        queue->fd = output->fd.get();
        queue->slot = output->slot;
        command.outputs.push_back(std::move(queue));
      }
    }
    last_sent_[i] = workers_[i]->commands().Push(std::move(command));
  }
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

void DataPlane::ReleaseIngress(int ifindex, uint32_t destination) {
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

bool DataPlane::AcquireGroup(const RuleState& rule, int ifindex, std::string* error) {
  const RuleSpec& spec = rule.spec;
  if (IsMulticast(spec.group)) {
    Shared& membership = memberships_[{ifindex, spec.group, spec.source}];
    if (membership.refs == 0) {
      membership.fd = OpenMembershipSocket(ifindex, spec.group, spec.source, error);
      if (!membership.fd.valid()) {
        memberships_.erase({ifindex, spec.group, spec.source});
        return false;
      }
    }
    ++membership.refs;
    return true;
  }
  // Unicast to us: without a socket on the port the kernel would answer every datagram
  // with an ICMP port-unreachable. Failing to bind one (the port is taken by another
  // program) is not an error: that program then answers.
  Shared& catcher = catchers_[{spec.group, spec.port}];
  if (catcher.refs == 0) {
    std::string ignored;
    catcher.fd = OpenUnicastCatcher(spec.group, spec.port, &ignored);
  }
  ++catcher.refs;
  return true;
}

void DataPlane::ReleaseGroup(const RuleState& rule) {
  const RuleSpec& spec = rule.spec;
  if (IsMulticast(spec.group)) {
    auto found = memberships_.find({rule.ifindex, spec.group, spec.source});
    if (found != memberships_.end() && --found->second.refs <= 0) memberships_.erase(found);
    return;
  }
  auto found = catchers_.find({spec.group, spec.port});
  if (found != catchers_.end() && --found->second.refs <= 0) catchers_.erase(found);
}

void DataPlane::Bury(std::unique_ptr<OutputState> output) {
  if (!output) return;
  graveyard_.fds.push_back(std::move(output->fd));
  graveyard_.output_slots.push_back(output->slot);
}

void DataPlane::EndBatch() {
  batching_ = false;
  Settle();
}

void DataPlane::Settle() {
  if (batching_) return;
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
    if (!ingress.filter_stale()) continue;
    std::string error;
    if (ingress.UpdateFilter(&error)) continue;
    // A rule left out of a narrower filter still works; one a wider filter would have
    // let in gets no traffic: only the latter is in error.
    for (const std::string& key : awaiting_filter_) {
      auto found = rules_.find(key);
      if (found != rules_.end() && found->second->ifindex == entry.first) found->second->error = error;
    }
  }
  awaiting_filter_.clear();
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
