// The control plane's half of a rule's inputs: attaching each one (its ingress ring, its
// group membership or unicast catcher, its place in the kernel filter and, for a rule
// with several inputs, its steering to the rule's home worker), detaching it, and telling
// the workers the rule's flow keys. Part of DataPlane (dataplane.h); the JS thread only.
#include "../ingress/membership.h"
#include "dataplane.h"
#include "kernel_tables.h"

namespace mcr {
namespace {

FlowKey KeyOf(const InputSpec& input, int ifindex) {
  FlowKey key;
  key.ifindex = static_cast<uint32_t>(ifindex);
  key.dst = input.group;
  key.dst_port = input.port;
  key.src = input.source.IsUnspecified() ? FlowTable::kAnySource : input.source;
  return key;
}

}  // namespace

void DataPlane::Attach(RuleState* rule) {
  rule->filter_error.clear();
  for (size_t i = 0; i < rule->inputs.size(); ++i) AttachInput(rule, i);
  // Workers learn the rule before the kernel filter lets its traffic through (the
  // filter is rebuilt when the change settles, after the workers acknowledged).
  SendRule(*rule);
}

void DataPlane::Detach(RuleState* rule) {
  if (rule->known) Broadcast(Command::Kind::kRemoveRule, *rule);
  rule->known = false;
  for (size_t i = 0; i < rule->inputs.size(); ++i) DetachInput(rule, i);
  rule->filter_error.clear();
}

void DataPlane::AttachInput(RuleState* rule, size_t index) {
  InputState& input = rule->inputs[index];
  const InputSpec& spec = rule->spec.inputs[index];
  input.setup_error.clear();
  input.ifindex = ResolveInterface(spec.interface);
  if (input.ifindex == 0) return;  // pending: Refresh() attaches it when it appears
  std::string error;
  Ingress* ingress = AcquireIngress(input.ifindex, &error);
  if (ingress == nullptr) {
    input.setup_error = error;
    return;
  }
  if (!AcquireGroup(spec, input.ifindex, &error)) {
    input.setup_error = error;
    ReleaseIngress(input.ifindex, spec.group);
    return;
  }
  input.attached = true;
  ingress->AddDestination(spec.group);
  input.has_directed = spec.group == IpAddress::FromIpv4(0xffffffffu) && DirectedBroadcast(input.ifindex, &input.directed) &&
                       input.directed != spec.group;
  if (input.has_directed) ingress->AddDestination(input.directed);
  if (Steered(*rule)) ingress->Steer(spec.group, spec.port, spec.source, HomeOf(*rule));
  awaiting_filter_.push_back(rule->spec.key);
}

void DataPlane::DetachInput(RuleState* rule, size_t index) {
  InputState& input = rule->inputs[index];
  if (!input.attached) return;
  const InputSpec& spec = rule->spec.inputs[index];
  auto ingress = ingress_.find(input.ifindex);
  if (ingress != ingress_.end() && Steered(*rule)) ingress->second->Unsteer(spec.group, spec.port, spec.source);
  if (ingress != ingress_.end() && input.has_directed) ingress->second->RemoveDestination(input.directed);
  input.has_directed = false;
  ReleaseGroup(spec, input.ifindex);
  ReleaseIngress(input.ifindex, spec.group);
  input.attached = false;
}

void DataPlane::SendRule(RuleState& rule) {
  if (rule.attached()) {
    Broadcast(Command::Kind::kSetRule, rule);
    rule.known = true;
  } else if (rule.known) {
    Broadcast(Command::Kind::kRemoveRule, rule);
    rule.known = false;
  }
}

void DataPlane::Broadcast(Command::Kind kind, const RuleState& rule) {
  for (size_t i = 0; i < workers_.size(); ++i) {
    Command command;
    command.kind = kind;
    command.rule_slot = rule.slot;
    if (kind == Command::Kind::kSetRule) {
      command.home = i == HomeOf(rule);
      command.health = rule.spec.health;
      // A rule with several inputs lives on its home worker alone; the others keep no
      // key for it, so a datagram steered wrongly would count as no_match, not be
      // relayed twice.
      const bool takes = !Steered(rule) || command.home;
      for (size_t input = 0; input < rule.inputs.size(); ++input) {
        const bool attached = takes && rule.inputs[input].attached;
        command.inputs.push_back(KeyOf(rule.spec.inputs[input], attached ? rule.inputs[input].ifindex : 0));
      }
      for (const auto& output : rule.outputs) {
        if (output->output) command.outputs.push_back(output->output.get());
      }
      command.policy = rule.policy;
    }
    last_sent_[i] = workers_[i]->commands().Push(std::move(command));
  }
}

bool DataPlane::AcquireGroup(const InputSpec& input, int ifindex, std::string* error) {
  if (input.group.IsMulticast()) {
    const auto key = std::make_tuple(ifindex, input.group, input.source);
    Shared& membership = memberships_[key];
    if (membership.refs == 0) {
      membership.fd = OpenMembershipSocket(ifindex, input.group, input.source, error);
      if (!membership.fd.valid()) {
        memberships_.erase(key);
        return false;
      }
    }
    ++membership.refs;
    return true;
  }
  // Unicast to us: without a socket on the port the kernel would answer every datagram
  // with an ICMP port-unreachable. Failing to bind one (the port is taken by another
  // program) is not an error: that program then answers.
  Shared& catcher = catchers_[CatcherKey(input, ifindex)];
  if (catcher.refs == 0) {
    std::string ignored;
    catcher.fd = OpenUnicastCatcher(input.group, input.port, ifindex, &ignored);
  }
  ++catcher.refs;
  return true;
}

void DataPlane::ReleaseGroup(const InputSpec& input, int ifindex) {
  if (input.group.IsMulticast()) {
    auto found = memberships_.find(std::make_tuple(ifindex, input.group, input.source));
    if (found != memberships_.end() && --found->second.refs <= 0) memberships_.erase(found);
    return;
  }
  auto found = catchers_.find(CatcherKey(input, ifindex));
  if (found != catchers_.end() && --found->second.refs <= 0) catchers_.erase(found);
}

// One catcher per address and port; a link-scope address exists once per interface.
std::tuple<IpAddress, uint16_t, int> DataPlane::CatcherKey(const InputSpec& input, int ifindex) {
  return std::make_tuple(input.group, input.port, input.group.IsLinkScope() ? ifindex : 0);
}

}  // namespace mcr
