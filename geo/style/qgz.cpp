#include "coldspot/geo/style/qgz.hpp"

#include "coldspot/geo/error.hpp"
#include "gdal_handles.hpp"

#include <cpl_conv.h>
#include <cpl_vsi.h>

#include <atomic>
#include <climits>

namespace coldspot::geo::style {

std::string qgz_archive(const std::string& name, std::string_view qgs) {
    detail::ensure_gdal();
    if (qgs.size() > static_cast<std::size_t>(INT_MAX)) throw InvalidArgumentError("project too large for a .qgz");
    static std::atomic<unsigned long> counter{0};
    const std::string path = "/vsimem/coldspot-qgz-" + std::to_string(++counter) + ".zip";
    void* zip = CPLCreateZip(path.c_str(), nullptr);
    if (!zip) throw GdalError("cannot create a zip archive: " + detail::last_gdal_error());
    bool ok = CPLCreateFileInZip(zip, name.c_str(), nullptr) == CE_None &&
              CPLWriteFileInZip(zip, qgs.data(), static_cast<int>(qgs.size())) == CE_None && CPLCloseFileInZip(zip) == CE_None;
    ok = CPLCloseZip(zip) == CE_None && ok;
    vsi_l_offset length = 0;
    GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &length, TRUE);
    std::string out = bytes ? std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length)) : std::string();
    CPLFree(bytes);
    if (!ok || out.empty()) throw GdalError("cannot write the .qgz archive: " + detail::last_gdal_error());
    return out;
}

} // namespace coldspot::geo::style
