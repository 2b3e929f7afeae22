#include "ingest/csv_import.h"

#include <csv.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <string_view>

namespace slagboom::ingest {
namespace {

using core::Status;

constexpr size_t kChunkBytes = 64 * 1024;

// One record of the file, or the reason it could not be read.
struct CsvRecord {
  size_t row = 0;  // where it starts, as a spreadsheet numbers rows
  std::vector<std::string> fields;
  std::string error;
};

// Cuts bytes into records with libcsv in strict mode.  libcsv stops at a
// stray quote; the splitter then rejects that record, skips to the next
// line end and goes on with a fresh parser, so one bad row costs one row.
class CsvSplitter {
 public:
  explicit CsvSplitter(char delimiter) : delimiter_(delimiter) { Reset(); }
  ~CsvSplitter() { csv_free(&parser_); }
  CsvSplitter(const CsvSplitter&) = delete;
  CsvSplitter& operator=(const CsvSplitter&) = delete;

  // Appends the records completed by `bytes` to *out.
  Status Feed(std::string_view bytes, std::vector<CsvRecord>* out);
  // Appends the last record, if the file does not end in a line break.
  void Finish(std::vector<CsvRecord>* out);

 private:
  static void OnField(void* data, size_t size, void* self);
  static void OnEnd(int c, void* self);
  void Reset();

  csv_parser parser_{};
  bool initialised_ = false;
  char delimiter_;
  std::vector<CsvRecord>* out_ = nullptr;
  std::vector<std::string> fields_;
  bool in_record_ = false;  // a field was seen since the last line end
  int last_end_ = 0;        // the character that ended the last line
  size_t row_ = 1;
  bool skipping_ = false;  // after a quoting error, up to the next line end
};

void CsvSplitter::Reset() {
  if (initialised_) csv_free(&parser_);
  // Every line end is reported (CSV_REPALL_NL) so that blank lines count
  // as rows, as they do in a spreadsheet.
  if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
    throw std::bad_alloc();
  csv_set_delim(&parser_, static_cast<unsigned char>(delimiter_));
  initialised_ = true;
}

void CsvSplitter::OnField(void* data, size_t size, void* self) {
  auto* me = static_cast<CsvSplitter*>(self);
  me->fields_.emplace_back(static_cast<const char*>(data), size);
  me->in_record_ = true;
}

void CsvSplitter::OnEnd(int c, void* self) {
  auto* me = static_cast<CsvSplitter*>(self);
  const bool crlf_tail = c == '\n' && me->last_end_ == '\r';
  if (c != -1) me->last_end_ = c;
  if (!me->in_record_) {
    if (c != -1 && !crlf_tail) ++me->row_;  // a blank line
    return;
  }
  me->in_record_ = false;
  const bool blank = std::all_of(
      me->fields_.begin(), me->fields_.end(), [](const std::string& f) {
        return f.find_first_not_of(" \t") == std::string::npos;
      });
  if (!blank) me->out_->push_back({me->row_, std::move(me->fields_), ""});
  me->fields_.clear();
  ++me->row_;
}

Status CsvSplitter::Feed(std::string_view bytes, std::vector<CsvRecord>* out) {
  out_ = out;
  while (!bytes.empty()) {
    if (skipping_) {
      const size_t end = bytes.find_first_of("\r\n");
      if (end == std::string_view::npos) return Status::Ok();
      skipping_ = false;
      last_end_ = bytes[end];
      ++row_;
      bytes.remove_prefix(end + 1);
      continue;
    }
    const size_t used =
        csv_parse(&parser_, bytes.data(), bytes.size(), OnField, OnEnd, this);
    const int error = csv_error(&parser_);
    if (error == CSV_EPARSE) {
      out->push_back({row_,
                      {},
                      "a quote out of place (quote the whole field and "
                      "double every quote inside it)"});
      fields_.clear();
      in_record_ = false;
      skipping_ = true;
      Reset();
    } else if (error != CSV_SUCCESS) {
      return Status::IoError(
          fmt::format("reading the CSV: {}", csv_strerror(error)));
    }
    bytes.remove_prefix(used);
  }
  return Status::Ok();
}

void CsvSplitter::Finish(std::vector<CsvRecord>* out) {
  out_ = out;
  if (skipping_) return;
  if (csv_fini(&parser_, OnField, OnEnd, this) != 0) {
    out->push_back({row_,
                    {},
                    "a quote opened in this row is never closed, so the "
                    "rest of the file was read as part of this row"});
  }
}

using RecordSink = std::function<Status(CsvRecord&)>;

// Hands every record of the file at `path` to `sink`, in file order,
// until the sink returns an error.
Status ReadRecords(const std::string& path, char delimiter,
                   const RecordSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError(
        fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  CsvSplitter splitter(delimiter);
  std::vector<CsvRecord> records;
  std::string chunk(kChunkBytes, '\0');
  bool first = true;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::string_view bytes(chunk.data(), static_cast<size_t>(in.gcount()));
    if (bytes.empty()) break;
    if (first) {
      first = false;
      if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
      if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF"))
        return Status::Invalid("the file is UTF-16; save it as UTF-8");
    }
    if (Status s = splitter.Feed(bytes, &records); !s.ok()) return s;
    for (CsvRecord& record : records) {
      if (Status s = sink(record); !s.ok()) return s;
    }
    records.clear();
  }
  if (in.bad()) {
    return Status::IoError(
        fmt::format("reading {}: {}", path, std::strerror(errno)));
  }
  splitter.Finish(&records);
  for (CsvRecord& record : records) {
    if (Status s = sink(record); !s.ok()) return s;
  }
  return Status::Ok();
}

void Reject(ImportReport* report, size_t row, std::string reason) {
  ++report->rejected;
  if (report->rejections.size() < kMaxListedRejections)
    report->rejections.push_back({row, std::move(reason)});
}

// Called with each row that maps; may reject it itself.
using MappedSink = std::function<Status(size_t row, nlohmann::json body,
                                        const RowMapper& mapper)>;

// Reads the file through the profile into *report: the header first, then
// every row counted, checked for its width and mapped.
void Walk(const std::string& path, const ImportProfile& profile,
          const MappedSink& sink, ImportReport* report) {
  RowMapper mapper(profile);
  bool have_header = false;
  size_t width = 0;
  report->status =
      ReadRecords(path, profile.delimiter, [&](CsvRecord& record) -> Status {
        if (!have_header) {
          if (!record.error.empty()) {
            return Status::Invalid(
                fmt::format("header row {}: {}", record.row, record.error));
          }
          have_header = true;
          width = record.fields.size();
          return mapper.Bind(record.fields);
        }

        ++report->read;
        if (!record.error.empty()) {
          Reject(report, record.row, record.error);
        } else if (record.fields.size() != width) {
          Reject(report, record.row,
                 fmt::format("{} fields, expected {}", record.fields.size(),
                             width));
        } else {
          MappedRow mapped = mapper.Map(record.fields);
          if (mapped.kind == MappedRow::Kind::kSkipped) {
            ++report->skipped;
          } else if (mapped.kind == MappedRow::Kind::kRejected) {
            Reject(report, record.row, std::move(mapped.reason));
          } else {
            return sink(record.row, std::move(mapped.body), mapper);
          }
        }
        return Status::Ok();
      });
  if (report->status.ok() && !have_header)
    report->status = Status::Invalid("the file is empty: it has no header");
}

// "location.lat (column Latitude): must be between -90 and 90; ..."
std::string Explain(const Status& status, const RowMapper& mapper) {
  if (status.details().empty()) return status.message();
  std::string out;
  for (const core::FieldError& e : status.details()) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {}", mapper.Describe(e.field), e.problem);
  }
  return out;
}

void SortRejections(ImportReport* report) {
  std::stable_sort(report->rejections.begin(), report->rejections.end(),
                   [](const RowRejection& a, const RowRejection& b) {
                     return a.row < b.row;
                   });
}

}  // namespace

std::string ImportReport::Summary() const {
  return fmt::format("imported={} rejected={} duplicates={} skipped={}",
                     imported, rejected, duplicates, skipped);
}

ImportReport ImportFile(const std::string& path, const ImportProfile& profile,
                        IngestService& service, const std::string& reporter,
                        size_t batch_size) {
  ImportReport report;
  const std::string source = "import:" + profile.name;

  // Rows are committed in the order of their time, whatever order the
  // file keeps, so that history reaches the rules as it happened (the
  // Chicago export, for one, is newest first).
  std::vector<std::pair<size_t, core::Incident>> valid;
  Walk(
      path, profile,
      [&](size_t row, nlohmann::json body, const RowMapper& mapper) {
        core::Incident incident;
        Status s = service.Validate(body, reporter, source, "", &incident);
        if (!s.ok()) {
          Reject(&report, row, Explain(s, mapper));
        } else {
          valid.emplace_back(row, std::move(incident));
        }
        return Status::Ok();
      },
      &report);
  std::stable_sort(valid.begin(), valid.end(),
                   [](const auto& a, const auto& b) {
                     return a.second.occurred_at < b.second.occurred_at;
                   });

  auto commit = [&](size_t begin, size_t end) -> Status {
    std::vector<core::Incident> batch;
    for (size_t i = begin; i < end; ++i) batch.push_back(valid[i].second);
    std::vector<CommitResult> results;
    try {
      results = service.CommitEach(batch);
    } catch (const std::exception& e) {
      return Status::IoError(
          fmt::format("committing {} rows: {}", end - begin, e.what()));
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome == Outcome::kStored) ++report.imported;
      if (results[i].outcome == Outcome::kDuplicate) ++report.duplicates;
      if (results[i].outcome == Outcome::kConflict) {
        Reject(&report, valid[begin + i].first,
               fmt::format("report_id '{}' was used before for a different "
                           "report",
                           batch[i].report_id));
      }
    }
    return Status::Ok();
  };
  // A file that cannot be read to its end imports nothing: fix it and
  // import it again.
  for (size_t i = 0; report.status.ok() && i < valid.size(); i += batch_size)
    report.status = commit(i, std::min(valid.size(), i + batch_size));
  SortRejections(&report);

  spdlog::info("import profile={} read={} {}{}", profile.name, report.read,
               report.Summary(), report.status.ok() ? "" : " failed=true");
  return report;
}

ImportReport MapFile(const std::string& path, const ImportProfile& profile,
                     const BodySink& sink) {
  ImportReport report;
  Walk(
      path, profile,
      [&sink](size_t row, nlohmann::json body, const RowMapper&) {
        sink(row, std::move(body));
        return Status::Ok();
      },
      &report);
  return report;
}

}  // namespace slagboom::ingest
