// Expected failures as values: a Status says whether an operation worked
// and, when it did not, why, with the fields that were wrong.
#ifndef SLAGBOOM_CORE_STATUS_H_
#define SLAGBOOM_CORE_STATUS_H_

#include <string>
#include <utility>
#include <vector>

namespace slagboom::core {

// One thing wrong with one field of an input, as shown to the user in the
// `details` array of an API error or on an import rejection line.
struct FieldError {
  std::string field;
  std::string problem;
};

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kInvalid, kNotFound, kConflict, kIoError };

  Status() = default;

  static Status Ok() { return Status(); }
  static Status Invalid(std::string message,
                        std::vector<FieldError> details = {}) {
    return Status(Code::kInvalid, std::move(message), std::move(details));
  }
  static Status NotFound(std::string message) {
    return Status(Code::kNotFound, std::move(message), {});
  }
  static Status Conflict(std::string message,
                         std::vector<FieldError> details = {}) {
    return Status(Code::kConflict, std::move(message), std::move(details));
  }
  static Status IoError(std::string message) {
    return Status(Code::kIoError, std::move(message), {});
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& details() const { return details_; }

  // "message: field: problem; field: problem" for logs and the terminal.
  std::string ToString() const;

 private:
  Status(Code code, std::string message, std::vector<FieldError> details)
      : code_(code),
        message_(std::move(message)),
        details_(std::move(details)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> details_;
};

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_STATUS_H_
