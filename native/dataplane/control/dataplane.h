// The control plane of the native data plane: the rules, the sockets and rings they
// need, and the workers that use them. All of its methods run on one thread (the JS
// thread); it changes what workers do only by sending them commands, and it frees a
// socket, ring or counter slot only after every worker has acknowledged that it no
// longer uses it.
//
// A rule whose input interface does not exist is kept as pending; an output whose
// interface does not exist is pending too. Refresh() (called on link events) resolves
// interface names again and attaches, detaches or reopens what changed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "../counters.h"
#include "../egress/frame_channel.h"
#include "../egress/output.h"
#include "../fd.h"
#include "../ingress/ingress.h"
#include "../policy/flow_policy.h"
#include "../sys_error.h"
#include "../worker.h"
#include "slot_allocator.h"
#include "specs.h"

namespace mcr {

// Where a rule or an output stands in the data plane. The daemon refines these with
// what only it knows (link state, history, the rules file) into the states users see.
enum class RunState : uint8_t {
  kActive,     // set up: receiving (a rule) or able to send (an output)
  kPending,    // its interface does not exist (yet)
  kError,      // set-up failed; see the error text
  kResolving,  // an output whose unicast next hop has no MAC yet (drops are counted)
};
const char* RunStateName(RunState state);

// The index of the interface of that name, 0 when there is none.
int ResolveInterface(const std::string& name);

struct OutputStatus {
  std::string key;
  uint32_t slot = 0;
  RunState state = RunState::kPending;
  std::string error;
  const char* egress = "";  // the kind in use: "frame" or "socket"; "" when not open
};

struct InputStatus {
  RunState state = RunState::kPending;
  int ifindex = 0;
  std::string error;
};

struct RuleStatus {
  std::string key;
  uint32_t slot = 0;
  RunState state = RunState::kPending;
  std::string error;
  int ifindex = 0;  // the primary input's
  std::vector<InputStatus> inputs;
  std::vector<OutputStatus> outputs;
};

class DataPlane {
 public:
  static std::unique_ptr<DataPlane> Create(const DataPlaneOptions& options, std::string* error);
  ~DataPlane();
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  const std::string& backend() const { return backend_; }
  // Why io_uring is not in use, when the backend was "auto" and fell back.
  const std::string& fallback_reason() const { return fallback_reason_; }
  uint32_t worker_count() const { return static_cast<uint32_t>(workers_.size()); }
  uint32_t max_rules() const { return options_.max_rules; }
  // Shared so that memory handed to JavaScript outlives the data plane if need be.
  std::shared_ptr<CounterMemory> counters() const { return counters_; }

  Status AddRule(const RuleSpec& spec);
  // policy: the rule's checks from now on (null: none); an unchanged reflector keeps
  // its loop window and buckets.
  Status ReplaceOutputs(const std::string& key, const std::vector<OutputSpec>& outputs,
                        const PolicySpec* policy = nullptr);
  // New stream-health settings for a running rule (its inputs are its identity and stay).
  Status SetHealth(const std::string& key, const HealthSpec& health);
  Status RemoveRule(const std::string& key);
  // Between these, the changes of one reload are gathered: each input's kernel filter is
  // rebuilt once and workers are waited for once, instead of once per rule (the filter
  // holds every destination of its input, so per-rule rebuilds grow with the square of
  // the rule count). Until EndBatch, added rules' traffic is not yet let in.
  void BeginBatch() { batching_ = true; }
  void EndBatch();
  void Refresh();
  std::vector<RuleStatus> Describe() const;
  void Shutdown();

 private:
  struct OutputState {
    OutputSpec spec;
    uint32_t slot = 0;
    int ifindex = 0;
    std::unique_ptr<Output> output;  // null while pending or in error
    std::string error;
    RunState state() const;
  };
  struct InputState {
    int ifindex = 0;
    bool attached = false;    // its ring, filter destination and group are in place
    std::string setup_error;  // attaching failed: it is not attached
    // A broadcast input (255.255.255.255) also takes the input interface's directed
    // broadcast, as it was when the input was attached.
    IpAddress directed;
    bool has_directed = false;
  };
  struct RuleState {
    RuleSpec spec;  // outputs live in `outputs`
    uint32_t slot = 0;
    std::vector<InputState> inputs;  // one per spec.inputs
    bool known = false;        // workers have it: a kSetRule went out since the last kRemoveRule
    std::string filter_error;  // attached, but an input's filter could not let it in
    std::vector<std::unique_ptr<OutputState>> outputs;
    std::shared_ptr<const FlowPolicy> policy;  // a reflector's flows only
    bool attached() const;
    RunState state() const;
    const std::string& error() const;
  };
  struct Shared {
    Fd fd;
    int refs = 0;
  };
  // What workers may still touch until they acknowledge the commands sent before.
  struct Graveyard {
    std::vector<std::unique_ptr<Ingress>> ingress;
    std::vector<std::unique_ptr<Output>> outputs;
    std::vector<uint32_t> rule_slots;
    std::vector<uint32_t> output_slots;
  };

  explicit DataPlane(const DataPlaneOptions& options);
  // io_uring unless the options or the kernel say otherwise (fallback_reason_ says why).
  std::unique_ptr<Backend> MakeBackend(BackendChoice choice, std::string* error);
  std::unique_ptr<OutputState> NewOutput(const OutputSpec& spec);
  void OpenOutput(OutputState* output);
  // Counter slots for outputs not yet running; Reclaim()s first if need be.
  Status ReserveOutputSlots(size_t needed);
  // Inputs (rule_inputs.cc): each attached on its own, so an input whose interface
  // comes and goes never disturbs the rule's other inputs.
  void Attach(RuleState* rule);
  void Detach(RuleState* rule);
  void AttachInput(RuleState* rule, size_t input);
  void DetachInput(RuleState* rule, size_t input);
  // Tells the workers what the rule now is: kSetRule while an input is attached,
  // kRemoveRule once none is.
  void SendRule(RuleState& rule);
  void Broadcast(Command::Kind kind, const RuleState& rule);
  // The worker that watches the rule's silence and, for several inputs, gets all of
  // them (their ingress steers them there: see ingress/fanout_program.h).
  uint32_t HomeOf(const RuleState& rule) const { return rule.slot % worker_count(); }
  bool Steered(const RuleState& rule) const { return rule.spec.inputs.size() > 1 && worker_count() > 1; }
  Ingress* AcquireIngress(int ifindex, std::string* error);
  void ReleaseIngress(int ifindex, const IpAddress& destination);
  bool AcquireGroup(const InputSpec& input, int ifindex, std::string* error);
  void ReleaseGroup(const InputSpec& input, int ifindex);
  static std::tuple<IpAddress, uint16_t, int> CatcherKey(const InputSpec& input, int ifindex);
  bool IsAwaitingFilter(const std::string& key) const;
  void Bury(std::unique_ptr<OutputState> output);
  void FlushFilters();
  // Outside a batch: the filters and workers catch up now; inside: at EndBatch.
  void Settle();
  // Makes slots given back earlier in a batch usable again (they wait for the workers).
  void Reclaim();
  void Sync();

  DataPlaneOptions options_;
  std::shared_ptr<CounterMemory> counters_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<uint64_t> last_sent_;
  SlotAllocator rule_slots_;
  SlotAllocator output_slots_;
  std::map<std::string, std::unique_ptr<RuleState>> rules_;
  PolicyRegistry policies_;
  std::map<int, std::unique_ptr<Ingress>> ingress_;
  std::map<std::tuple<int, IpAddress, IpAddress>, Shared> memberships_;  // ifindex, group, source
  std::map<std::tuple<IpAddress, uint16_t, int>, Shared> catchers_;       // address, port, ifindex
  Graveyard graveyard_;
  FrameChannels frame_channels_;
  // The kernel's tables as seen during one operation (or one batch): frame outputs ask
  // the same questions of it many times. Dropped when the operation settles.
  std::unique_ptr<KernelView> kernel_view_;
  OutputContext Context();
  bool batching_ = false;
  // Rules attached since their input's filter was last rebuilt: a failed rebuild is theirs.
  std::vector<std::string> awaiting_filter_;
  std::string backend_;
  std::string fallback_reason_;
};

}  // namespace mcr
