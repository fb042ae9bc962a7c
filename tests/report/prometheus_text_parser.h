#pragma once
// A strict reader of Prometheus's text exposition format (version 0.0.4,
// prometheus.io/docs/instrumenting/exposition_formats), written for the tests
// from the format's rules and independent of report/prometheus.cpp. Stricter
// than Prometheus where node_exporter's textfile collector is: every family
// needs a TYPE, and timestamps are refused. Throws std::runtime_error naming
// the line for anything else the format forbids.

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace effbench::test {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct ParsedFamily {
  std::string name;
  std::string help;  // unescaped
  std::string type;
  std::vector<ParsedSample> samples;
};

class PrometheusTextParser {
 public:
  /// Every family, in the order of the text.
  static std::vector<ParsedFamily> parse(const std::string& text) {
    PrometheusTextParser parser;
    parser.run(text);
    return parser.families_;
  }

 private:
  std::vector<ParsedFamily> families_;
  std::set<std::string> closed_;  // families another family's lines have followed
  std::set<std::string> series_;  // name + sorted labels, to refuse duplicates
  std::set<std::string> helped_;
  size_t line_number_ = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("line " + std::to_string(line_number_) + ": " + why);
  }

  static bool name_start(char c, bool colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  }
  static bool name_char(char c, bool colon) { return name_start(c, colon) || (c >= '0' && c <= '9'); }

  // Reads a metric name (colon allowed) or label name at `pos`.
  std::string read_name(const std::string& line, size_t& pos, bool colon) const {
    const size_t begin = pos;
    if (pos >= line.size() || !name_start(line[pos], colon))
      fail("expected a name at column " + std::to_string(pos));
    while (pos < line.size() && name_char(line[pos], colon)) ++pos;
    return line.substr(begin, pos - begin);
  }

  static void skip_blanks(const std::string& line, size_t& pos) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  }

  double read_value(const std::string& token) const {
    if (token == "NaN") return std::nan("");
    if (token == "+Inf") return INFINITY;
    if (token == "-Inf") return -INFINITY;
    // A decimal float: [+-] digits [. digits] [e [+-] digits], at least one digit in the mantissa.
    size_t i = 0;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    size_t digits = 0;
    while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i]))) ++i, ++digits;
    if (i < token.size() && token[i] == '.') {
      ++i;
      while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i]))) ++i, ++digits;
    }
    if (digits == 0) fail("not a number: '" + token + "'");
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
      ++i;
      if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
      size_t exponent = 0;
      while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i]))) ++i, ++exponent;
      if (exponent == 0) fail("not a number: '" + token + "'");
    }
    if (i != token.size()) fail("not a number: '" + token + "'");
    return std::strtod(token.c_str(), nullptr);
  }

  // The family `name` belongs to, opened when it is new; refuses a family
  // that another family's lines have already followed (interleaving).
  ParsedFamily& family(const std::string& name) {
    if (!families_.empty() && families_.back().name == name) return families_.back();
    if (closed_.count(name)) fail("family " + name + " continues after another family began");
    if (!families_.empty()) closed_.insert(families_.back().name);
    families_.push_back({name, "", "", {}});
    return families_.back();
  }

  void comment(const std::string& line) {
    size_t pos = 1;
    skip_blanks(line, pos);
    const size_t word_end = line.find_first_of(" \t", pos);
    const std::string word =
        line.substr(pos, word_end == std::string::npos ? std::string::npos : word_end - pos);
    if (word != "HELP" && word != "TYPE") return;  // a plain comment
    pos = word_end;
    if (pos == std::string::npos) fail(word + " without a metric name");
    skip_blanks(line, pos);
    const std::string name = read_name(line, pos, true);
    ParsedFamily& f = family(name);
    if (!f.samples.empty()) fail(word + " for " + name + " after its samples");
    if (word == "HELP") {
      if (!helped_.insert(name).second) fail("a second HELP for " + name);
      if (pos < line.size()) {
        if (line[pos] != ' ' && line[pos] != '\t') fail("HELP: no blank after the name");
        skip_blanks(line, pos);
      }
      for (; pos < line.size(); ++pos) {
        if (line[pos] != '\\') {
          f.help += line[pos];
          continue;
        }
        if (++pos >= line.size()) fail("HELP ends in a lone backslash");
        if (line[pos] == '\\') {
          f.help += '\\';
        } else if (line[pos] == 'n') {
          f.help += '\n';
        } else {
          fail(std::string("HELP: unknown escape \\") + line[pos]);
        }
      }
      return;
    }
    if (!f.type.empty()) fail("a second TYPE for " + name);
    skip_blanks(line, pos);
    const std::string type = line.substr(pos);
    static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
    if (!kTypes.count(type)) fail("unknown type '" + type + "'");
    f.type = type;
  }

  std::string read_label_value(const std::string& line, size_t& pos) const {
    if (pos >= line.size() || line[pos] != '"') fail("a label value must be double-quoted");
    ++pos;
    std::string value;
    for (; pos < line.size(); ++pos) {
      const char c = line[pos];
      if (c == '"') {
        ++pos;
        return value;
      }
      if (c != '\\') {
        value += c;
        continue;
      }
      if (++pos >= line.size()) break;
      if (line[pos] == '\\') {
        value += '\\';
      } else if (line[pos] == '"') {
        value += '"';
      } else if (line[pos] == 'n') {
        value += '\n';
      } else {
        fail(std::string("label value: unknown escape \\") + line[pos]);
      }
    }
    fail("a label value is not closed");
  }

  void sample(const std::string& line) {
    size_t pos = 0;
    ParsedSample s;
    s.name = read_name(line, pos, true);
    std::string key = s.name + "{";
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      skip_blanks(line, pos);
      while (pos < line.size() && line[pos] != '}') {
        const std::string label = read_name(line, pos, false);
        if (label.rfind("__", 0) == 0) fail("label name " + label + " is reserved");
        skip_blanks(line, pos);
        if (pos >= line.size() || line[pos] != '=') fail("expected '=' after label " + label);
        ++pos;
        skip_blanks(line, pos);
        const std::string value = read_label_value(line, pos);
        if (!s.labels.emplace(label, value).second) fail("label " + label + " given twice");
        skip_blanks(line, pos);
        if (pos < line.size() && line[pos] == ',') {
          ++pos;
          skip_blanks(line, pos);
        } else if (pos < line.size() && line[pos] != '}') {
          fail("expected ',' or '}' in the labels");
        }
      }
      if (pos >= line.size()) fail("labels not closed");
      ++pos;  // '}'
    }
    for (const auto& [label, value] : s.labels) key += label + "=\"" + value + "\",";
    if (pos >= line.size() || (line[pos] != ' ' && line[pos] != '\t'))
      fail("expected a blank before the value");
    skip_blanks(line, pos);
    const size_t end = line.find_first_of(" \t", pos);
    s.value = read_value(line.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end != std::string::npos) {
      size_t rest = end;
      skip_blanks(line, rest);
      if (rest < line.size()) fail("a timestamp or trailing text: the textfile collector refuses timestamps");
    }
    ParsedFamily& f = family(s.name);
    if (f.type.empty()) fail("sample of " + s.name + " before its TYPE");
    if (!series_.insert(key).second) fail("a second sample of the series " + key + "}");
    f.samples.push_back(std::move(s));
  }

  void run(const std::string& text) {
    if (text.empty()) return;
    if (text.back() != '\n') throw std::runtime_error("the last line does not end in a line feed");
    size_t begin = 0;
    while (begin < text.size()) {
      const size_t end = text.find('\n', begin);
      const std::string line = text.substr(begin, end - begin);
      begin = end + 1;
      ++line_number_;
      size_t first = 0;
      skip_blanks(line, first);
      if (first == line.size()) continue;  // blank lines are ignored
      if (line[first] == '#') {
        comment(line.substr(first));
      } else {
        sample(line.substr(first));
      }
    }
  }
};

}  // namespace effbench::test
