#include "core/atomic_file.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace effbench {

void check_outputs_apart(const std::vector<std::pair<std::string, std::string>>& outputs) {
  std::vector<std::pair<std::string, std::filesystem::path>> seen;  // option, the file it names
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path).lexically_normal();
    std::filesystem::path file =
        std::filesystem::weakly_canonical(absolute, error);  // symbolic links followed
    if (error) file = absolute;
    for (const auto& [other_option, other_file] : seen) {
      EFFBENCH_CHECK(file != other_file, option, " ", path, ": is the same file as ", other_option,
                     "; each output needs a file of its own (one would overwrite the other)");
    }
    seen.emplace_back(option, file);
  }
}

bool is_sqlite_database(const std::string& path) {
  static const char kHeader[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                   'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  return in.read(header, sizeof header) && std::equal(header, header + sizeof header, kHeader);
}

namespace {

// Note [Outputs apart]: no output replaces an SQLite database.
void refuse_sqlite_database(const std::string& path, const std::string& who) {
  if (is_sqlite_database(path)) {
    throw Error(who +
                ": is an SQLite database (the results database?); effbench never overwrites one: "
                "choose another output path");
  }
}

}  // namespace

void check_can_write(const std::string& path, const std::string& what) {
  const std::string who = (what.empty() ? "" : what + " ") + path;
  refuse_sqlite_database(path, who);
  const std::string temporary = path + ".tmp";
  if (!std::ofstream(temporary, std::ios::binary | std::ios::app)) {
    throw Error(who + ": cannot create " + temporary + " (does the folder exist, and is it writable?)");
  }
  std::remove(temporary.c_str());
}

void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what) {
  const std::string who = (what.empty() ? "" : what + " ") + path;
  refuse_sqlite_database(path, who);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(who + ": cannot open " + temporary + " for writing");
    out << bytes;
    if (!out.flush()) {
      out.close();
      std::remove(temporary.c_str());
      throw Error(who + ": write failed (disk full?)");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw Error(who + ": cannot rename " + temporary + " into place");
  }
}

}  // namespace effbench
