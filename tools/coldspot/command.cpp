#include "command.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <charconv>

namespace coldspot::cli {

std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

Args::Args(CommandArgs args, const std::vector<std::string>& value_options, const std::vector<std::string>& flag_options) {
    auto known = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 2 || a[0] != '-' || a == "-") {
            positionals_.push_back(a);
            continue;
        }
        std::string name = a, inline_value;
        bool has_inline = false;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            inline_value = a.substr(eq + 1);
            has_inline = true;
        }
        if (known(value_options, name)) {
            if (has_inline) values_.emplace_back(name, inline_value);
            else if (i + 1 < args.size()) values_.emplace_back(name, args[++i]);
            else throw InvalidArgumentError("option " + name + " needs a value");
        } else if (known(flag_options, name) && !has_inline) {
            flags_.push_back(name);
        } else {
            throw InvalidArgumentError("unknown option " + name);
        }
    }
}

std::optional<std::string> Args::value(std::string_view name) const {
    std::optional<std::string> out;
    for (const auto& [k, v] : values_)
        if (k == name) out = v; // the last one wins, as in most CLIs
    return out;
}

std::string Args::value_or(std::string_view name, std::string fallback) const {
    auto v = value(name);
    return v ? *v : std::move(fallback);
}

std::string Args::required(std::string_view name) const {
    auto v = value(name);
    if (!v) throw InvalidArgumentError("option " + std::string(name) + " is required");
    return *v;
}

std::vector<std::string> Args::values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_)
        if (k == name) out.push_back(v);
    return out;
}

bool Args::flag(std::string_view name) const { return std::find(flags_.begin(), flags_.end(), name) != flags_.end(); }

void Args::expect_positionals(std::size_t min, std::size_t max, std::string_view what) const {
    if (positionals_.size() < min || positionals_.size() > max)
        throw InvalidArgumentError("expected " + std::string(what));
}

std::optional<long long> Args::integer(std::string_view name) const {
    auto v = value(name);
    if (!v) return std::nullopt;
    long long out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size())
        throw InvalidArgumentError("option " + std::string(name) + " expects an integer, got '" + *v + "'");
    return out;
}

std::optional<double> Args::number(std::string_view name) const {
    auto v = value(name);
    if (!v) return std::nullopt;
    double out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size())
        throw InvalidArgumentError("option " + std::string(name) + " expects a number, got '" + *v + "'");
    return out;
}

} // namespace coldspot::cli
