#pragma once
// Verb registry for the `coldspot` CLI. Each verb lives in cmd_<verb>.cpp and registers itself with
// a static RegisterCommand, so adding a verb touches no other file.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::cli {

using CommandArgs = std::span<const std::string>;

struct Command {
    std::string name;
    std::string summary;
    std::string usage; ///< full help text printed by `coldspot VERB --help`
    std::function<int(CommandArgs)> run;
};

std::vector<Command>& registry();

struct RegisterCommand {
    explicit RegisterCommand(Command c) { registry().push_back(std::move(c)); }
};

/// A small option parser: `--name value`, `--name=value`, boolean `--flag`, and positionals.
/// Unknown options throw InvalidArgumentError so typos are never ignored.
class Args {
public:
    Args(CommandArgs args, const std::vector<std::string>& value_options, const std::vector<std::string>& flag_options);

    std::optional<std::string> value(std::string_view name) const;
    std::string value_or(std::string_view name, std::string fallback) const;
    /// Throws InvalidArgumentError naming the option.
    std::string required(std::string_view name) const;
    /// All values of an option that may repeat.
    std::vector<std::string> values(std::string_view name) const;
    bool flag(std::string_view name) const;
    const std::vector<std::string>& positionals() const noexcept { return positionals_; }
    /// Throws InvalidArgumentError unless there are between min and max positionals.
    void expect_positionals(std::size_t min, std::size_t max, std::string_view what) const;
    /// Parses an integer option; throws InvalidArgumentError naming the option when it is not one.
    std::optional<long long> integer(std::string_view name) const;
    std::optional<double> number(std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> values_;
    std::vector<std::string> flags_;
    std::vector<std::string> positionals_;
};

} // namespace coldspot::cli
