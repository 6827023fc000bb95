// Diagnostics collected while reading inputs: every message names the file,
// the object and the field at fault. Warnings never change the exit code.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace wpctl {

enum class Severity { Warning, Error };

struct Diag {
    Severity severity;
    std::string message;
};

class Diagnostics {
  public:
    void error(std::string msg) { items_.push_back({Severity::Error, std::move(msg)}); }
    void warn(std::string msg) { items_.push_back({Severity::Warning, std::move(msg)}); }
    bool has_errors() const {
        for (const auto &d : items_)
            if (d.severity == Severity::Error) return true;
        return false;
    }
    size_t count(Severity s) const {
        size_t n = 0;
        for (const auto &d : items_)
            if (d.severity == s) ++n;
        return n;
    }
    const std::vector<Diag> &items() const { return items_; }
    // Prints "wpctl: error: ..." / "wpctl: warning: ..." lines.
    void print(std::FILE *out) const {
        for (const auto &d : items_)
            std::fprintf(out, "wpctl: %s: %s\n",
                         d.severity == Severity::Error ? "error" : "warning", d.message.c_str());
    }

  private:
    std::vector<Diag> items_;
};

} // namespace wpctl
