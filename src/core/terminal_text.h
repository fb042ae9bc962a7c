#pragma once
// Text from records and files reaches the terminal without its control
// characters (Note [Control characters on output]).

#include <ostream>
#include <streambuf>
#include <string>

namespace effbench {

// Note [Control characters on output]
// Names in a run (host, model, device name, notes) come from other machines
// and files: `results import` takes any JSON. An ESC sequence in such a
// name, printed raw, can move the cursor, rewrite earlier lines or set the
// terminal's title. So everything effbench writes to stdout and stderr
// passes through a filter that replaces each C0 control character except
// newline and tab (ESC and CR included), DEL, and each C1 control (U+0080 to
// U+009F, which some terminals read as ESC sequences too) with '?'.
// Files written with -o / --json / --report are not filtered: JSON escapes
// control characters itself, and the HTML report escapes its text.

/// `text` with the control characters of the Note replaced by '?'.
std::string printable(const std::string& text);

/// A stream buffer that filters what passes to `target` as printable() does.
/// Not thread-safe (as std::cout itself is not for interleaved writes).
class PrintableBuf : public std::streambuf {
 public:
  explicit PrintableBuf(std::streambuf* target) : target_(target) {}
  /// Writes a byte held back at the end and flushes the target.
  void finish();

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;

 private:
  std::streambuf* target_;
  bool after_c2_ = false;  // the last byte was 0xC2, the lead byte of U+0080..U+00BF
};

/// The first `count` UTF-8 code points of `text` (all of it when shorter).
std::string first_code_points(const std::string& text, size_t count);

/// Whether standard output is a terminal (not a file or a pipe).
bool stdout_is_terminal();

/// Redraws the terminal line the cursor is on as printable(`text`) and
/// erases the rest of it: carriage return, the text, ESC [K, written past
/// the filter (std::cout is flushed first). For terminals only: a log would
/// keep every redraw.
void redraw_terminal_line(const std::string& text);

/// Installs PrintableBuf on std::cout and std::cerr for the life of the object.
class PrintableConsole {
 public:
  PrintableConsole();
  ~PrintableConsole();
  PrintableConsole(const PrintableConsole&) = delete;
  PrintableConsole& operator=(const PrintableConsole&) = delete;

 private:
  PrintableBuf out_;
  PrintableBuf err_;
  std::streambuf* cout_ = nullptr;  // the buffers before, restored at the end
  std::streambuf* cerr_ = nullptr;
};

}  // namespace effbench
