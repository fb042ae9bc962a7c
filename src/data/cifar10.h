#pragma once
// CIFAR-10, binary version: records of 1 label byte + 3072 pixel bytes
// (1024 red, 1024 green, 1024 blue, each 32x32 row-major).

#include <string>
#include <vector>

#include "data/dataset.h"

namespace effbench {

inline constexpr int64_t kCifar10RecordBytes = 1 + 3 * 32 * 32;
inline constexpr int64_t kCifar10RecordsPerFile = 10000;

/// Reads and concatenates CIFAR-10 batch files into one split named `name`
/// (uint8 N x 3 x 32 x 32). Each file must hold a whole, non-zero number of
/// 3073-byte records (exactly `records_per_file` when it is > 0, see
/// Note [CIFAR-10 record counts]) and labels 0..9; otherwise Error naming the
/// file, the record and its byte offset.
Dataset read_cifar10_batches(const std::vector<std::string>& paths, const std::string& name,
                             int64_t records_per_file = 0);

/// data_batch_1.bin .. data_batch_5.bin and test_batch.bin from `dir`, or from
/// `dir`/cifar-10-batches-bin (the layout of the official tarball); each file
/// must hold `records_per_file` records (10000 in the real data set; tests
/// pass small numbers).
DatasetSplits load_cifar10(const std::string& dir, int64_t records_per_file = kCifar10RecordsPerFile);

}  // namespace effbench
