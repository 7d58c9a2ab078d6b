// The import manifest reader: arbitrary bytes as a manifest file. It may refuse them only with
// the documented errors (ManifestError and the other InputErrors naming the manifest); anything
// else escaping, or a crash, is a finding.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/manifest.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace coldspot;
    const auto file = fuzz::scratch_file("manifest.json", {reinterpret_cast<const char*>(data), size});
    try {
        const auto m = geo::import::read_manifest(file);
        if (m.file != file) fuzz::fail("manifest file not kept");
    } catch (const InputError& e) {
        // Every refusal names the manifest.
        if (std::string(e.what()).find("manifest.json") == std::string::npos) fuzz::fail(std::string("error without the file: ") + e.what());
    }
    return 0;
}
