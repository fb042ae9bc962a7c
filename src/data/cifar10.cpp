#include "data/cifar10.h"

#include <cstring>

#include "core/error.h"
#include "data/file_bytes.h"

namespace effbench {

// Note [CIFAR-10 record counts]
// The binary version has no header: a file is just records. A download cut at
// a record boundary would therefore read as a valid, smaller batch and train
// silently on partial data. Each official file holds exactly 10000 records, so
// load_cifar10 requires that count, and any file must at least be a whole
// number of records.

Dataset read_cifar10_batches(const std::vector<std::string>& paths, const std::string& name,
                             int64_t records_per_file) {
  std::vector<torch::Tensor> records;  // one uint8 (n, 3073) tensor per file
  for (const std::string& path : paths) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    const int64_t size_bytes = static_cast<int64_t>(bytes.size());
    if (size_bytes == 0 || size_bytes % kCifar10RecordBytes != 0) {
      const int64_t whole = size_bytes / kCifar10RecordBytes;
      throw Error(
          path + ": file size: expected a positive multiple of " + std::to_string(kCifar10RecordBytes) +
          " bytes (1 label byte + 3x32x32 pixels per record; 30730000 for a full batch), found " +
          std::to_string(size_bytes) + " bytes = " + std::to_string(whole) + " records + " +
          std::to_string(size_bytes % kCifar10RecordBytes) + " bytes (record " + std::to_string(whole) +
          " starting at offset " + std::to_string(whole * kCifar10RecordBytes) + " is incomplete)");
    }
    const int64_t count = size_bytes / kCifar10RecordBytes;
    if (records_per_file > 0 && count != records_per_file) {
      throw Error(path + ": record count: expected " + std::to_string(records_per_file) + " records (" +
                  std::to_string(records_per_file * kCifar10RecordBytes) + " bytes), found " +
                  std::to_string(count) + " (" + std::to_string(size_bytes) +
                  " bytes); see Note [CIFAR-10 record counts]");
    }
    for (int64_t i = 0; i < count; ++i) {
      const uint8_t label = bytes[size_t(i * kCifar10RecordBytes)];
      if (label >= 10) {
        throw Error(path + ": label of record " + std::to_string(i) + " at byte offset " +
                    std::to_string(i * kCifar10RecordBytes) + ": expected 0..9, found " +
                    std::to_string(label));
      }
    }
    torch::Tensor file_records = torch::empty({count, kCifar10RecordBytes}, torch::kUInt8);
    std::memcpy(file_records.data_ptr<uint8_t>(), bytes.data(), bytes.size());
    records.push_back(std::move(file_records));
  }
  if (records.empty()) throw Error(name + ": no CIFAR-10 batch files given");
  const torch::Tensor all = records.size() == 1 ? records[0] : torch::cat(records);
  Dataset split;
  split.name = name;
  split.num_classes = 10;
  split.labels = all.select(1, 0).to(torch::kInt64);
  split.images = all.narrow(1, 1, 3 * 32 * 32).reshape({-1, 3, 32, 32}).contiguous();
  return split;
}

DatasetSplits load_cifar10(const std::string& dir, int64_t records_per_file) {
  std::string root = dir;
  if (!is_regular_file(join_path(root, "test_batch.bin")) &&
      is_directory(join_path(dir, "cifar-10-batches-bin"))) {
    root = join_path(dir, "cifar-10-batches-bin");
  }
  std::vector<std::string> train_paths;
  for (int i = 1; i <= 5; ++i)
    train_paths.push_back(join_path(root, "data_batch_" + std::to_string(i) + ".bin"));
  const std::string test_path = join_path(root, "test_batch.bin");
  for (const auto& path : train_paths) {
    if (!is_regular_file(path)) {
      throw Error(path + ": missing CIFAR-10 file: expected data_batch_1.bin .. data_batch_5.bin and " +
                  "test_batch.bin (the binary version) in " + root +
                  (is_directory(root) ? "" : ", which does not exist") +
                  "; pass --data-dir with the right folder");
    }
  }
  DatasetSplits splits;
  splits.train = read_cifar10_batches(train_paths, "cifar10", records_per_file);
  splits.test = read_cifar10_batches({test_path}, "cifar10", records_per_file);
  return splits;
}

}  // namespace effbench
