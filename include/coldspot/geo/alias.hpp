#pragma once
// Strong types in the style of OSRM's util/alias.hpp: a number tagged with what it measures, so a
// cut-off in minutes cannot be passed where a snap distance in metres or an EPSG code is expected.
// Construction from the raw number is explicit; reading it back is explicit too (value() or a
// static_cast), except for EPSG codes, which read as their int where storage keeps plain ints
// (FeatureTable::epsg, a GeoPackage's srs_id). Nothing converts *into* an alias implicitly, and no
// alias converts into another: unit changes go through the named functions below, which are exact
// for every value a caller uses (whole and half minutes, whole seconds and metres).
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <type_traits>

namespace coldspot::geo {

/// Tags may opt in to an implicit read as their underlying value (only EpsgTag does).
template <typename Tag>
inline constexpr bool kAliasReadsAsValue = false;

template <typename T, typename Tag>
class Alias final {
    static_assert(std::is_arithmetic_v<T>, "an Alias wraps an arithmetic type");

public:
    using value_type = T;
    using tag_type = Tag;

    constexpr Alias() = default;
    constexpr explicit Alias(T v) noexcept : value_(v) {}

    constexpr T value() const noexcept { return value_; }
    constexpr explicit(!kAliasReadsAsValue<Tag>) operator T() const noexcept { return value_; }

    constexpr bool operator==(const Alias&) const = default;
    constexpr auto operator<=>(const Alias&) const = default;

    // Sums and differences of the same quantity, scaling by a plain number, and the ratio of two.
    constexpr Alias operator+(Alias o) const noexcept { return Alias(value_ + o.value_); }
    constexpr Alias operator-(Alias o) const noexcept { return Alias(value_ - o.value_); }
    constexpr Alias& operator+=(Alias o) noexcept { value_ += o.value_; return *this; }
    constexpr Alias& operator-=(Alias o) noexcept { value_ -= o.value_; return *this; }
    constexpr Alias operator*(T k) const noexcept { return Alias(value_ * k); }
    constexpr Alias operator/(T k) const noexcept { return Alias(value_ / k); }
    constexpr T operator/(Alias o) const noexcept { return value_ / o.value_; }

    friend std::ostream& operator<<(std::ostream& out, Alias a) { return out << a.value_; }

private:
    T value_{};
};

// Times and distances (doubles: parameters are fractional, e.g. a 7.5-minute cut-off).
struct SecondsTag;
struct MinutesTag;
struct MetresTag;
using Seconds = Alias<double, SecondsTag>;
using Minutes = Alias<double, MinutesTag>;
using Metres = Alias<double, MetresTag>;

// Coordinate reference systems by EPSG code (27700, 4326, 3857).
struct EpsgTag;
template <>
inline constexpr bool kAliasReadsAsValue<EpsgTag> = true;
using Epsg = Alias<int, EpsgTag>;

// Ids: a school's unique reference number (DfE URN, 6 digits).
struct SchoolUrnTag;
using SchoolUrn = Alias<std::int64_t, SchoolUrnTag>;

/// Exact: multiplying by 60 loses nothing for the whole, half and quarter minutes callers use.
constexpr Seconds to_seconds(Minutes m) noexcept { return Seconds(m.value() * 60.0); }
constexpr Minutes to_minutes(Seconds s) noexcept { return Minutes(s.value() / 60.0); }
/// Kilometres to metres and back (speeds are in km/h).
constexpr Metres from_kilometres(double km) noexcept { return Metres(km * 1000.0); }
constexpr double to_kilometres(Metres m) noexcept { return m.value() / 1000.0; }
/// Distance covered in `t` at `kph`.
constexpr Metres distance_at(double kph, Minutes t) noexcept { return Metres(t.value() / 60.0 * kph * 1000.0); }

} // namespace coldspot::geo

template <typename T, typename Tag>
struct std::hash<coldspot::geo::Alias<T, Tag>> {
    std::size_t operator()(const coldspot::geo::Alias<T, Tag>& a) const noexcept { return std::hash<T>{}(a.value()); }
};
