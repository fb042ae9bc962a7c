// Note [Control characters on output]: the expected strings are written by
// hand, byte by byte.

#include "core/terminal_text.h"

#include <gtest/gtest.h>

#include <sstream>

namespace effbench {
namespace {

TEST(Printable, ReplacesControlCharactersAndKeepsText) {
  EXPECT_EQ(printable("host\x1b]0;pwned\x07 ok"), "host?]0;pwned? ok");  // OSC: set the title
  EXPECT_EQ(printable("a\x1b[2J\rb"), "a?[2J?b");                        // clear screen, carriage return
  EXPECT_EQ(printable("line\n\tindented\x7f"), "line\n\tindented?");     // newline and tab stay; DEL goes
  EXPECT_EQ(printable("csi \xc2\x9b"
                      "31m"),
            "csi ?31m");  // U+009B, a C1 CSI
  EXPECT_EQ(printable("caf\xc3\xa9 \xc2\xb5s \xe2\x80\xa8"),
            "caf\xc3\xa9 \xc2\xb5s \xe2\x80\xa8");  // UTF-8 text stays
  EXPECT_EQ(printable(std::string("nul\0end", 7)), "nul?end");
}

TEST(PrintableBuf, FiltersAStreamAsPrintableDoesEvenAcrossWrites) {
  std::ostringstream target;
  PrintableBuf filter(target.rdbuf());
  std::ostream out(&filter);
  out << "a\x1b[1m"
      << "b\xc2";  // the C1 control's two bytes split over two writes
  out << "\x9b"
      << "c \xc2";
  out << "\xb5"
      << "s\n";
  out.flush();
  filter.finish();
  EXPECT_EQ(target.str(), "a?[1mb?c \xc2\xb5s\n");
}

TEST(TerminalText, FirstCodePointsCutsBetweenCharacters) {
  EXPECT_EQ(first_code_points("abc", 2), "ab");
  EXPECT_EQ(first_code_points("abc", 5), "abc");
  // "±" is two bytes (C2 B1): it is kept whole or left out whole.
  EXPECT_EQ(first_code_points("1 \xc2\xb1 2", 3), "1 \xc2\xb1");
  EXPECT_EQ(first_code_points("1 \xc2\xb1 2", 2), "1 ");
  EXPECT_EQ(first_code_points("", 3), "");
}

}  // namespace
}  // namespace effbench
