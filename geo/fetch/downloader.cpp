#include "coldspot/geo/fetch/downloader.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/fetch/errors.hpp"
#include "coldspot/geo/import/detail/sha256.hpp"
#include "coldspot/geo/timestamp.hpp"
#include "detail/json_file.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

namespace coldspot::geo::fetch {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

fs::path with_suffix(const fs::path& p, const std::string& suffix) { return p.parent_path() / (p.filename().string() + suffix); }

std::optional<json> read_json(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    try {
        json j;
        in >> j;
        return j;
    } catch (const json::exception&) {
        return std::nullopt; // a damaged record is as good as none: the file is fetched again
    }
}

/// Written to a temporary name and renamed, so a record is either whole or absent.

std::uint64_t size_or_zero(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

/// A cached copy is usable when its record names the same published URL and its size matches.
std::optional<json> cached_record(const SourceFile& source, const fs::path& file) {
    auto rec = read_json(provenance_path(file));
    if (!rec || rec->value("url", "") != source.url || !fs::exists(file)) return std::nullopt;
    if (rec->value("size", std::uint64_t{0}) != size_or_zero(file)) return std::nullopt;
    if (source.sha256 && rec->value("sha256", "") != *source.sha256) return std::nullopt; // a new vintage
    return rec;
}

void verify(const SourceFile& source, const fs::path& part, const HttpResponse& r, std::uint64_t resumed_from, std::string& sha) {
    const std::uint64_t have = size_or_zero(part);
    if (r.content_length && have != (r.resumed ? resumed_from : 0) + *r.content_length)
        throw NetworkError(source.url + ": body cut short: " + std::to_string(have) + " of " +
                           std::to_string((r.resumed ? resumed_from : 0) + *r.content_length) + " bytes");
    if (source.size && have != *source.size)
        throw VerificationError(source.id + ": " + std::to_string(have) + " bytes, the publisher lists " + std::to_string(*source.size) +
                                " (" + source.url + ")");
    sha = import::sha256_file(part);
    if (source.sha256 && sha != *source.sha256)
        throw VerificationError(source.id + ": SHA-256 " + sha + " differs from the published " + *source.sha256 + " (" + source.url + ")");
}

json provenance_of(const SourceFile& s, const std::string& url, const HttpResponse& r, std::uint64_t size, const std::string& sha) {
    return json{{"dataset", s.id},
                {"title", s.title},
                {"publisher", s.publisher},
                {"licence", s.licence},
                {"vintage", s.vintage},
                {"url", s.url},
                {"retrieved_from", r.effective_url.empty() ? url : r.effective_url},
                {"retrieved_at", utc_now_iso8601()},
                {"size", size},
                {"sha256", sha},
                {"sha256_published", s.sha256 ? json(*s.sha256) : json(nullptr)},
                {"etag", r.etag},
                {"last_modified", r.last_modified}};
}

} // namespace

const char* to_string(DownloadStatus s) {
    switch (s) {
    case DownloadStatus::Downloaded: return "downloaded";
    case DownloadStatus::Unchanged: return "unchanged";
    case DownloadStatus::CachedOffline: return "cached (offline)";
    }
    return "?";
}

fs::path provenance_path(const fs::path& file) { return with_suffix(file, ".provenance.json"); }

Downloaded download_file(const SourceFile& source, const std::string& url, const fs::path& dir, const DownloadOptions& options) {
    const fs::path file = dir / source.file;
    const fs::path part = with_suffix(file, ".part"), part_meta = with_suffix(file, ".part.json");
    fs::create_directories(file.parent_path());
    auto log = [&](const std::string& line) {
        if (options.log) options.log(source.id + ": " + line);
    };
    const auto cached = cached_record(source, file);
    Downloaded out;
    out.path = file;
    std::string last_error;
    bool last_was_network = false;
    for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
        if (attempt > 1) {
            const double wait = std::min(30.0, options.backoff_seconds * std::pow(2.0, attempt - 2));
            log("retry " + std::to_string(attempt) + "/" + std::to_string(options.attempts) + " in " + std::to_string(wait).substr(0, 4) +
                " s after: " + last_error);
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        }
        HttpRequest req;
        req.url = url;
        req.file = part;
        req.timeouts = options.timeouts;
        req.progress = options.progress;
        const auto meta = read_json(part_meta);
        if (meta && meta->value("url", "") == source.url && size_or_zero(part) > 0) {
            req.resume_from = size_or_zero(part);
            req.if_range = meta->value("validator", "");
            log("resuming at byte " + std::to_string(req.resume_from));
        } else if (cached) {
            req.if_none_match = cached->value("etag", "");
            req.if_modified_since = cached->value("last_modified", "");
        }
        const HttpResponse r = http_get(req);
        out.bytes_transferred += r.body_bytes;
        if (r.failure != HttpFailure::None || r.status >= 400) {
            // Whatever arrived stays for a resume, with the validator that says which version it is.
            if (size_or_zero(part) > 0 && (!r.etag.empty() || !r.last_modified.empty() || req.resume_from > 0)) {
                const std::string validator = !r.etag.empty() ? r.etag : !r.last_modified.empty() ? r.last_modified : req.if_range;
                detail::write_json(part_meta, json{{"url", source.url}, {"validator", validator}});
            }
            if (r.failure == HttpFailure::DiskWrite)
                throw DiskWriteError(r.error + "; " + std::to_string(size_or_zero(part)) + " bytes kept in " + part.string() +
                                     " for a resume (never imported)");
            if (r.status == 416) { // the partial is not a prefix of what is published now
                fs::remove(part);
                fs::remove(part_meta);
                last_error = "HTTP 416 for the resumed range: starting again";
                continue;
            }
            last_was_network = r.failure == HttpFailure::Network;
            last_error = r.failure == HttpFailure::Network ? r.error : "HTTP " + std::to_string(r.status);
            if (r.failure == HttpFailure::None && r.status < 500 && r.status != 429) throw_if_failed(r, url); // 404 etc.: no retry
            continue;
        }
        if (r.status == 304 && cached) {
            out.status = DownloadStatus::Unchanged;
            out.provenance = *cached;
            out.provenance["checked_at"] = utc_now_iso8601();
            detail::write_json(provenance_path(file), out.provenance);
            log("unchanged since " + cached->value("retrieved_at", std::string("the last run")));
            return out;
        }
        if (r.status != 200 && r.status != 206) {
            last_error = "unexpected HTTP " + std::to_string(r.status);
            continue;
        }
        std::string sha;
        try {
            verify(source, part, r, req.resume_from, sha);
        } catch (const NetworkError& e) {
            last_error = e.what();
            last_was_network = true;
            continue;
        } catch (const VerificationError&) {
            fs::remove(part); // wrong bytes are not worth resuming
            fs::remove(part_meta);
            throw;
        }
        out.provenance = provenance_of(source, url, r, size_or_zero(part), sha);
        fs::rename(part, file);
        fs::remove(part_meta);
        detail::write_json(provenance_path(file), out.provenance);
        out.status = DownloadStatus::Downloaded;
        if (r.resumed) log("resumed download complete");
        return out;
    }
    if (last_was_network && cached) {
        log("cannot reach the publisher (" + last_error + "): using the copy retrieved at " + cached->value("retrieved_at", std::string("?")));
        out.status = DownloadStatus::CachedOffline;
        out.provenance = *cached;
        return out;
    }
    const std::string why = source.id + ": " + url + " failed after " + std::to_string(options.attempts) + " attempts: " + last_error;
    if (last_was_network)
        throw NetworkError(why + (size_or_zero(part) > 0 ? "; " + std::to_string(size_or_zero(part)) + " bytes kept for a resume" : std::string()) +
                           "; no copy from an earlier run in " + dir.string() + " (is there a network?)");
    throw HttpStatusError(why, 500);
}

} // namespace coldspot::geo::fetch
