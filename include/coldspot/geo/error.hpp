#pragma once
// The exception hierarchy shared by every Coldspot component. Tests assert exact types, so each
// kind of failure a caller may want to tell apart has its own class.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace coldspot {

/// Base of every error Coldspot throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where in an input something went wrong: file, 1-based line (0 = not line-oriented) and field.
struct InputLocation {
    std::string file;
    std::size_t line = 0;
    std::string field;
    std::string to_string() const;
};

/// Bad input data. The message always names file, and line and field where they are known.
class InputError : public Error {
public:
    InputError(InputLocation where, const std::string& reason);
    const InputLocation& where() const noexcept { return where_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    InputLocation where_;
    std::string reason_;
};

/// The file does not exist or cannot be opened.
class FileNotFoundError : public InputError {
public:
    using InputError::InputError;
};
/// The file is empty (no header, no features).
class EmptyInputError : public InputError {
public:
    using InputError::InputError;
};
/// A column named in a mapping is not in the file's header.
class MissingColumnError : public InputError {
public:
    using InputError::InputError;
};
/// The file is not in the format it claims (not CSV, not gzip, not a GDAL dataset, ...).
class FormatError : public InputError {
public:
    using InputError::InputError;
};
/// The manifest or a parameters file is not valid.
class ManifestError : public InputError {
public:
    using InputError::InputError;
};

/// A CRS definition PROJ does not know, or a transformation that failed.
class CrsError : public Error {
public:
    using Error::Error;
};
/// A geometry that cannot be repaired or used.
class GeometryError : public Error {
public:
    using Error::Error;
};
/// GDAL reported a failure not caused by the input (I/O error, driver missing, ...).
class GdalError : public Error {
public:
    using Error::Error;
};
/// A workspace that is missing, not a Coldspot workspace, or lacks a layer.
class WorkspaceError : public Error {
public:
    using Error::Error;
};
/// A system call on a file failed (no space left, read-only file system, permission, I/O error).
/// The message names the file and the system's reason. A WorkspaceError, so callers that report
/// a workspace that cannot be written keep doing so.
class IoError : public WorkspaceError {
public:
    using WorkspaceError::WorkspaceError;
};
/// A layer or feature that does not exist.
class NotFoundError : public Error {
public:
    using Error::Error;
};
/// Invalid arguments or parameters from a caller (CLI flags, API parameters).
class InvalidArgumentError : public Error {
public:
    using Error::Error;
};

} // namespace coldspot
