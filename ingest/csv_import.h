// Bulk import of CSV files through an import profile (ingest/profile.h),
// with exactly the validation of the API: every row becomes the JSON body
// an API client would post and goes through IngestService::Validate.
//
// Reading: UTF-8 only (a UTF-8 byte-order mark is dropped; a UTF-16 file
// is refused), RFC 4180 quoting with line breaks inside quoted fields, and
// LF, CRLF or bare CR line ends.  Rows are numbered as a spreadsheet shows
// them: the header is row 1, blank lines count, a quoted line break does
// not.  Rows whose cells are all empty are passed over.  A row with
// another number of fields than the header, or with a stray quote, is
// rejected on its own and the rows after it are still read.
#ifndef SLAGBOOM_INGEST_CSV_IMPORT_H_
#define SLAGBOOM_INGEST_CSV_IMPORT_H_

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/ingest_service.h"
#include "ingest/profile.h"

namespace slagboom::ingest {

struct RowRejection {
  size_t row = 0;  // 1-based, the header being row 1
  std::string reason;
};

// What an import did.  Every data row read is counted once, as imported,
// rejected, duplicate or skipped (left out by the profile's filters).
struct ImportReport {
  // Not ok when the file as a whole could not be read: it cannot be
  // opened, it is empty or not UTF-8, its header lacks a column the
  // profile needs, or a commit failed.  The counts say what happened
  // before that.
  core::Status status;
  size_t read = 0;
  size_t imported = 0;
  size_t rejected = 0;
  size_t duplicates = 0;
  size_t skipped = 0;
  // The first kMaxListedRejections rejections in row order; `rejected`
  // counts them all.
  std::vector<RowRejection> rejections;

  // "imported=N rejected=N duplicates=N skipped=N"
  std::string Summary() const;
};

inline constexpr size_t kMaxListedRejections = 1000;

// Imports the CSV file at `path` as `reporter`, with source
// "import:<profile name>".  The whole file is read and validated first;
// then the valid rows are committed in the order of their occurred_at
// (ties in file order), so that history reaches the rules as it happened,
// with IngestService::CommitEach in batches of `batch_size`, each row
// standing alone: a report id used before for other content rejects its
// row only, the same report again counts as a duplicate.  A file that
// cannot be read to its end (report.status not ok) imports nothing.
ImportReport ImportFile(const std::string& path, const ImportProfile& profile,
                        IngestService& service, const std::string& reporter,
                        size_t batch_size = 1000);

// Called with the row number and the body of each row that maps.
using BodySink = std::function<void(size_t row, nlohmann::json body)>;

// Reads the file at `path` through `profile` without validating or storing
// anything (for posting to a running service): every row that maps is
// handed to `sink` in file order.  The report counts rows read, skipped
// and rejected by the mapping (bad field counts, numbers, times); the
// caller adds what the service made of the bodies.
ImportReport MapFile(const std::string& path, const ImportProfile& profile,
                     const BodySink& sink);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_CSV_IMPORT_H_
