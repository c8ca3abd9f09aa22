// Implementation of sink_stats.h.
#include "sink_stats.h"

#include "cli.h"
#include "json_line.h"
#include "payload.h"

namespace mcr::tools {

SinkStats::SinkStats(const SinkStatsConfig& config) : config_(config) {
  for (const IpAddress& group : config.groups) groups_.push_back(GroupCount{group, 0, 0, 0});
  if (config.expect_per_stream > 0) {
    for (size_t k = 0; k < config.groups.size(); ++k) Stream(config.first_stream + static_cast<uint32_t>(k));
  }
}

void SinkStats::Take(const uint8_t* data, size_t len, const IpAddress& dst, uint64_t now_ns) {
  if (totals_.datagrams == 0) totals_.first_ns = now_ns;
  totals_.last_ns = now_ns;
  ++totals_.datagrams;
  totals_.bytes += len;
  GroupCount* group = FindGroup(dst);
  if (group == nullptr) {
    ++totals_.other_destination;
  } else {
    ++group->datagrams;
    group->bytes += len;
  }
  Header h;
  const Verdict verdict = Classify(data, len, &h);
  switch (verdict) {
    case Verdict::kShort:
      ++totals_.short_count;
      if (group != nullptr) ++group->short_count;
      return;
    case Verdict::kForeign:
      ++totals_.foreign;
      return;
    case Verdict::kBadHeader:
      ++totals_.bad_header;
      return;
    case Verdict::kIntact:
    case Verdict::kCorrupted: {
      SeqTracker* stream = Stream(h.stream);
      if (stream == nullptr || !stream->Record(h.seq, len, verdict == Verdict::kCorrupted)) {
        ++totals_.out_of_range;
      }
      return;
    }
  }
}

SinkStats::GroupCount* SinkStats::FindGroup(const IpAddress& dst) {
  for (GroupCount& g : groups_) {
    if (g.group == dst) return &g;
  }
  return nullptr;
}

SeqTracker* SinkStats::Stream(uint32_t id) {
  auto it = streams_.find(id);
  if (it != streams_.end()) return &it->second;
  if (streams_.size() >= config_.max_streams) return nullptr;
  return &streams_.emplace(id, SeqTracker(config_.max_seq)).first->second;
}

std::string SinkStats::StreamsJson(uint64_t sums[5]) const {
  std::string out = "[";
  for (const auto& [id, tracker] : streams_) {
    const StreamStats& s = tracker.stats();
    const uint64_t lost = tracker.Lost(config_.expect_per_stream);
    const uint64_t values[5] = {s.received, lost, s.duplicated, s.reordered, s.corrupted};
    for (size_t i = 0; i < 5; ++i) sums[i] += values[i];
    JsonLine line;
    line.Num("stream", id).Num("received", s.received).Num("lost", lost).Num("duplicated", s.duplicated)
        .Num("reordered", s.reordered).Num("corrupted", s.corrupted).Num("bytes", s.bytes);
    if (s.received > 0) {
      line.Num("first_seq", s.first_seq).Num("last_seq", s.last_seq).Num("max_seq", s.max_seq);
    } else {
      line.Raw("first_seq", "null").Raw("last_seq", "null").Raw("max_seq", "null");
    }
    out += (out.size() > 1 ? "," : "") + line.Done();
  }
  return out + "]";
}

std::string SinkStats::GroupsJson() const {
  std::string out = "[";
  for (const GroupCount& g : groups_) {
    out += (out.size() > 1 ? "," : "") +
           JsonLine().Str("group", g.group.ToString()).Num("port", config_.port).Num("datagrams", g.datagrams)
               .Num("bytes", g.bytes).Num("short", g.short_count).Done();
  }
  return out + "]";
}

std::string SinkStats::Report(const char* stopped, int64_t socket_drops) const {
  uint64_t sums[5] = {};  // received, lost, duplicated, reordered, corrupted
  const std::string streams = StreamsJson(sums);
  const double seconds = static_cast<double>(totals_.last_ns - totals_.first_ns) / 1e9;
  JsonLine report;
  report.Num("datagrams", totals_.datagrams).Num("bytes", totals_.bytes)
      .Num("received", sums[0]).Num("lost", sums[1]).Num("duplicated", sums[2])
      .Num("reordered", sums[3]).Num("corrupted", sums[4])
      .Num("short", totals_.short_count).Num("foreign", totals_.foreign)
      .Num("bad_header", totals_.bad_header).Num("out_of_range", totals_.out_of_range)
      .Num("other_destination", totals_.other_destination);
  if (socket_drops >= 0) {
    report.Num("socket_drops", static_cast<uint64_t>(socket_drops));
  } else {
    report.Raw("socket_drops", "null");
  }
  // The arrival rate between the first and the last datagram.
  const double rate = seconds > 0 ? static_cast<double>(totals_.datagrams - 1) / seconds : 0;
  report.Real("seconds", seconds).Real("rate", rate).Str("stopped", stopped)
      .Raw("groups", GroupsJson()).Raw("streams", streams);
  return report.Done();
}

}  // namespace mcr::tools
