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

// Note [Outputs apart]: no output replaces an SQLite database; the file is
// written byte by byte here with SQLite's 16-byte header.
TEST(WriteFileAtomically, NeverReplacesAnSqliteDatabase) {
  const fs::path dir = fresh_dir("sqlite");
  const fs::path path = dir / "results.db";
  const std::string database = std::string("SQLite format 3\0", 16) + "pages";
  std::ofstream(path, std::ios::binary) << database;
  EXPECT_TRUE(is_sqlite_database(path.string()));
  try {
    write_file_atomically(path.string(), "<html>", "--report");
    FAIL() << "an SQLite database was overwritten";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--report " + path.string() +
                                         ": is an SQLite database (the results database?); effbench never "
                                         "overwrites one: choose another output path");
  }
  EXPECT_EQ(read_all(path), database);
  EXPECT_FALSE(fs::exists(dir / "results.db.tmp"));
  std::ofstream(dir / "almost.db", std::ios::binary) << "SQLite format 2";
  EXPECT_FALSE(is_sqlite_database((dir / "almost.db").string()));
  EXPECT_FALSE(is_sqlite_database((dir / "missing.db").string()));
  fs::remove_all(dir);
}

TEST(CheckOutputsApart, RefusesTwoOutputsNamingOneFile) {
  const fs::path dir = fresh_dir("apart");
  const std::string db = (dir / "a.db").string();
  EXPECT_NO_THROW(
      check_outputs_apart({{"--db", db}, {"--json", (dir / "a.json").string()}, {"--report", ""}}));
  // The same file spelt another way, existing or not.
  const std::string other_spelling = (dir / "sub" / ".." / "a.db").string();
  try {
    check_outputs_apart({{"--db", db}, {"--report", ""}, {"--json", other_spelling}});
    FAIL() << "two outputs naming one file were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "--json " + other_spelling +
                  ": is the same file as --db; each output needs a file of its own (one "
                  "would overwrite the other)");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace effbench
