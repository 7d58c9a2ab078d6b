#pragma once
// The version recorded with every import and analysis run and printed by `coldspot --version`:
// one definition, from CMake's project(VERSION), so stored provenance cannot drift from the build.

namespace coldspot {

/// "MAJOR.MINOR.PATCH" of this build.
const char* version();

} // namespace coldspot
