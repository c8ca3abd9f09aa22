// mcr-sink's accounting: classifies each datagram (payload.h), keeps the per-group
// and per-stream counts (seq_tracker.h defines lost, duplicated and reordered), and
// writes the JSON report. No I/O: the receive loop in sink.cc feeds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../core/address.h"
#include "seq_tracker.h"

namespace mcr::tools {

struct SinkStatsConfig {
  std::vector<IpAddress> groups;  // as joined (or the one unicast address)
  uint16_t port = 0;
  uint64_t expect_per_stream = 0;  // 0: not known
  uint32_t first_stream = 0;
  uint64_t max_streams = 1024;
  uint64_t max_seq = uint64_t{1} << 26;
};

class SinkStats {
 public:
  // With expect_per_stream, streams first_stream.. (one per group) exist from the
  // start, so a stream that lost everything is still reported, with all of it lost.
  explicit SinkStats(const SinkStatsConfig& config);

  // One datagram of len bytes (at most 65535), sent to dst (unspecified = unknown).
  void Take(const uint8_t* data, size_t len, const IpAddress& dst, uint64_t now_ns);

  uint64_t datagrams() const { return totals_.datagrams; }

  // The report line; socket_drops < 0 means unknown (written as null).
  std::string Report(const char* stopped, int64_t socket_drops) const;

 private:
  struct GroupCount {
    IpAddress group;
    uint64_t datagrams = 0;
    uint64_t bytes = 0;
    uint64_t short_count = 0;
  };
  struct Totals {
    uint64_t datagrams = 0;
    uint64_t bytes = 0;
    uint64_t short_count = 0;
    uint64_t foreign = 0;
    uint64_t bad_header = 0;
    uint64_t out_of_range = 0;
    uint64_t other_destination = 0;
    uint64_t first_ns = 0;
    uint64_t last_ns = 0;
  };

  GroupCount* FindGroup(const IpAddress& dst);
  // The tracker for a stream id, created on first sight while under max_streams.
  SeqTracker* Stream(uint32_t id);
  std::string StreamsJson(uint64_t sums[5]) const;
  std::string GroupsJson() const;

  SinkStatsConfig config_;
  std::vector<GroupCount> groups_;
  std::map<uint32_t, SeqTracker> streams_;
  Totals totals_;
};

}  // namespace mcr::tools
