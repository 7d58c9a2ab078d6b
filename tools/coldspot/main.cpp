// coldspot: the command-line entry point. Dispatches to the verbs registered in cmd_*.cpp.
#include "command.hpp"

#include "coldspot/geo/version.hpp"
#include "coldspot/geo/detail/huge_pages.hpp"
#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <iostream>

namespace {

void print_usage(std::ostream& out) {
    out << "usage: coldspot VERB [options]\n\nverbs:\n";
    auto commands = coldspot::cli::registry();
    std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const auto& c : commands) out << "  " << c.name << std::string(c.name.size() < 10 ? 10 - c.name.size() : 1, ' ') << c.summary << "\n";
    out << "\n`coldspot VERB --help` describes a verb's options.\n";
}

} // namespace

int main(int argc, char** argv) {
    // Whole-England road graphs and tile caches are gigabytes of fresh memory: with huge pages, loading
    // a road graph cache takes a quarter of the CPU time (docs/benchmarks.md, "Roads for all of England").
    coldspot::geo::detail::restart_with_huge_page_malloc(argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "coldspot " << coldspot::version() << "\n";
        return 0;
    }
    const auto& commands = coldspot::cli::registry();
    auto it = std::find_if(commands.begin(), commands.end(), [&](const auto& c) { return c.name == args[0]; });
    if (it == commands.end()) {
        std::cerr << "coldspot: unknown verb '" << args[0] << "'\n";
        print_usage(std::cerr);
        return 2;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
        std::cout << it->usage << "\n";
        return 0;
    }
    try {
        return it->run(rest);
    } catch (const coldspot::InvalidArgumentError& e) {
        std::cerr << "coldspot " << it->name << ": " << e.what() << "\n(see `coldspot " << it->name << " --help`)\n";
        return 2;
    } catch (const coldspot::InputError& e) {
        std::cerr << "coldspot " << it->name << ": input error: " << e.what() << "\n";
        return 3;
    } catch (const coldspot::Error& e) {
        std::cerr << "coldspot " << it->name << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "coldspot " << it->name << ": internal error: " << e.what() << "\n";
        return 1;
    }
}
