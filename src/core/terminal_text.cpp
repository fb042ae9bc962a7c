#include "core/terminal_text.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace effbench {
namespace {

bool is_c0_control(unsigned char byte) {
  return (byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7f;
}

}  // namespace

std::string first_code_points(const std::string& text, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts_code_point = (static_cast<unsigned char>(text[i]) & 0xc0) != 0x80;
    if (starts_code_point && seen++ == count) return text.substr(0, i);
  }
  return text;
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

void redraw_terminal_line(const std::string& text) {
  std::cout.flush();
  std::fflush(stdout);
  // A line longer than the terminal would wrap, and each redraw would leave a copy above.
  std::string line = printable(text);
  struct winsize size {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) {
    line = first_code_points(line, static_cast<size_t>(size.ws_col) - 1);
  }
  const std::string bytes = "\r" + line + "\x1b[K";
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + written, bytes.size() - written);
    if (n <= 0) return;  // a progress line is not worth an error
    written += static_cast<size_t>(n);
  }
}

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {  // a C1 control in UTF-8
      out += '?';
      ++i;
    } else {
      out += is_c0_control(byte) ? '?' : static_cast<char>(byte);
    }
  }
  return out;
}

PrintableBuf::int_type PrintableBuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const auto byte = static_cast<unsigned char>(traits_type::to_char_type(ch));
  if (after_c2_) {
    after_c2_ = false;
    if (byte >= 0x80 && byte <= 0x9f)
      return target_->sputc('?') == traits_type::eof() ? traits_type::eof() : ch;
    if (target_->sputc(static_cast<char>(0xc2)) == traits_type::eof()) return traits_type::eof();
  }
  if (byte == 0xc2) {  // held until the next byte says whether it starts a C1 control
    after_c2_ = true;
    return ch;
  }
  const char out = is_c0_control(byte) ? '?' : static_cast<char>(byte);
  return target_->sputc(out) == traits_type::eof() ? traits_type::eof() : ch;
}

int PrintableBuf::sync() { return target_->pubsync(); }

void PrintableBuf::finish() {
  if (after_c2_) target_->sputc(static_cast<char>(0xc2));  // a lone lead byte at the very end, as it was
  after_c2_ = false;
  target_->pubsync();
}

PrintableConsole::PrintableConsole() : out_(std::cout.rdbuf()), err_(std::cerr.rdbuf()) {
  cout_ = std::cout.rdbuf(&out_);
  cerr_ = std::cerr.rdbuf(&err_);
}

PrintableConsole::~PrintableConsole() {
  std::cout.flush();
  std::cerr.flush();
  out_.finish();
  err_.finish();
  std::cout.rdbuf(cout_);
  std::cerr.rdbuf(cerr_);
}

}  // namespace effbench
