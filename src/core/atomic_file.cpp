#include "core/atomic_file.h"

#include <cstdio>
#include <fstream>

#include "core/error.h"

namespace effbench {

void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what) {
  const std::string who = (what.empty() ? "" : what + " ") + path;
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
