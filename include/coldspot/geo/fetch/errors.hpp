#pragma once
// Why a download failed. Each kind is its own type so callers (and tests) can tell "the publisher
// is unreachable" from "the publisher answered 404" from "the bytes are not the ones published".
#include "coldspot/geo/error.hpp"

#include <string>
#include <vector>

namespace coldspot::geo::fetch {

/// Base of every download failure.
class FetchError : public Error {
public:
    using Error::Error;
};

/// The server could not be reached, or stopped sending (connection refused, DNS, timeout, stall,
/// a body cut short on every retry).
class NetworkError : public FetchError {
public:
    using FetchError::FetchError;
};

/// The server answered with an HTTP error status (404, 500, ...).
class HttpStatusError : public FetchError {
public:
    HttpStatusError(const std::string& what, long status) : FetchError(what), status_(status) {}
    long status() const noexcept { return status_; }

private:
    long status_;
};

/// The bytes arrived but are not the ones published: wrong size or SHA-256.
class VerificationError : public FetchError {
public:
    using FetchError::FetchError;
};

/// Writing the download failed (disk full, file too large, permission). The partial file is kept
/// for a resume and is never imported.
class DiskWriteError : public FetchError {
public:
    using FetchError::FetchError;
};

/// A region or authority name that matches nothing; carries the nearest known names.
class UnknownAreaError : public InvalidArgumentError {
public:
    UnknownAreaError(const std::string& what, std::vector<std::string> suggestions)
        : InvalidArgumentError(what), suggestions_(std::move(suggestions)) {}
    const std::vector<std::string>& suggestions() const noexcept { return suggestions_; }

private:
    std::vector<std::string> suggestions_;
};

} // namespace coldspot::geo::fetch
