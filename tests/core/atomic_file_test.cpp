#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "core/error.h"

namespace effbench {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("effbench-atomic-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(WriteFileAtomically, ReplacesTheFileWithTheBytesGiven) {
  const fs::path dir = fresh_dir("replace");
  const fs::path path = dir / "out.json";
  {
    std::ofstream old(path);
    old << "old contents, longer than the new ones";
  }
  // Bytes written by hand, including a NUL and no trailing newline.
  const std::string bytes("{\"a\":1}\0z", 9);
  write_file_atomically(path.string(), bytes, "--json");
  EXPECT_EQ(read_all(path), bytes);
  EXPECT_FALSE(fs::exists(dir / "out.json.tmp"));  // renamed, not left behind
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(WriteFileAtomically, UnwritablePathNamesTheOptionAndThePathAndKeepsTheOldFile) {
  try {
    write_file_atomically("/nonexistent-dir/x/report.html", "page", "report");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("report /nonexistent-dir/x/report.html: cannot open"),
              std::string::npos)
        << e.what();
  }
  // A rename that fails (the target is a non-empty directory) leaves no temporary file.
  const fs::path dir = fresh_dir("rename");
  fs::create_directories(dir / "target" / "inside");
  EXPECT_THROW(write_file_atomically((dir / "target").string(), "x"), Error);
  EXPECT_FALSE(fs::exists(dir / "target.tmp"));
  EXPECT_TRUE(fs::is_directory(dir / "target" / "inside"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace effbench
