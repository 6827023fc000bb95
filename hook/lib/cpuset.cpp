#include "cpuset.hpp"

namespace wp {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Parses a decimal CPU id; stops at the first non-digit. Bounded: at most 5 digits.
bool parse_id(std::string_view s, size_t &pos, unsigned &out) {
    size_t start = pos;
    unsigned v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (pos - start >= 5) return false; // > 99999: certainly >= kMaxCpus
        v = v * 10 + static_cast<unsigned>(s[pos] - '0');
        ++pos;
    }
    if (pos == start) return false;
    out = v;
    return true;
}

} // namespace

Result<CpuSet> CpuSet::parse(std::string_view text) {
    std::string_view s = text;
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    auto bad = [&](std::string why) {
        std::string shown(text.substr(0, 64));
        if (text.size() > 64) shown += "...";
        return make_error(Fault::Input, "cpuset \"" + shown + "\": " + why);
    };
    CpuSet set;
    if (s.empty()) return set;
    size_t pos = 0;
    for (;;) {
        unsigned lo = 0, hi = 0;
        if (!parse_id(s, pos, lo))
            return bad("expected a CPU number at offset " + std::to_string(pos));
        hi = lo;
        if (pos < s.size() && s[pos] == '-') {
            ++pos;
            if (!parse_id(s, pos, hi))
                return bad("expected a CPU number at offset " + std::to_string(pos));
            if (hi < lo)
                return bad("range " + std::to_string(lo) + "-" + std::to_string(hi) +
                           " is descending");
        }
        if (hi >= kMaxCpus)
            return bad("CPU " + std::to_string(hi) + " is not below " + std::to_string(kMaxCpus));
        for (unsigned c = lo; c <= hi; ++c)
            set.bits_.set(c);
        if (pos == s.size()) break;
        if (s[pos] != ',') return bad("unexpected character at offset " + std::to_string(pos));
        ++pos;
        if (pos == s.size()) return bad("trailing comma");
    }
    return set;
}

std::string CpuSet::format() const {
    // Word-wise scan (libstdc++'s _Find_first/_Find_next skip empty 64-bit words).
    std::string out;
    size_t c = bits_._Find_first();
    while (c < kMaxCpus) {
        size_t start = c, end = c, next = bits_._Find_next(c);
        while (next < kMaxCpus && next == end + 1) {
            end = next;
            next = bits_._Find_next(end);
        }
        if (!out.empty()) out.push_back(',');
        out += std::to_string(start);
        if (end > start) {
            out.push_back('-');
            out += std::to_string(end);
        }
        c = next;
    }
    return out;
}

} // namespace wp
