// How GoogleTest prints reqc's enums in a failure message: by name, not as
// raw bytes (found by argument-dependent lookup).
#ifndef REQC_TEST_PRINTERS_HPP
#define REQC_TEST_PRINTERS_HPP

#include <ostream>

#include "reqc.hpp"

namespace reqc {
inline void PrintTo(Code code, std::ostream *os) { *os << name(code); }
inline void PrintTo(HttpVersion v, std::ostream *os) { *os << "HttpVersion(" << static_cast<int>(v) << ")"; }
inline void PrintTo(LogLevel v, std::ostream *os) { *os << "LogLevel(" << static_cast<int>(v) << ")"; }
inline void PrintTo(Watch v, std::ostream *os) { *os << "Watch(" << static_cast<int>(v) << ")"; }
inline void PrintTo(HookId v, std::ostream *os) { *os << "HookId(" << static_cast<uint64_t>(v) << ")"; }
} // namespace reqc

#endif
