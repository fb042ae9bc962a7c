#pragma once
// Unpaired image folders for CycleGAN (the layout of horse2zebra and its
// siblings): trainA/ trainB/ testA/ testB/ of JPEG or PNG files.

#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace effbench {

/// Decodes every *.jpg, *.jpeg and *.png (any case) in `folder`, in file-name
/// order, into uint8 N x 3 x H x W (grey and RGBA images are converted to RGB;
/// other files are ignored). See Note [One image size]: every image must be
/// `image_size_px` square, or, with image_size_px == 0, the size of the first
/// image. Labels are all `label`, num_classes 2.
/// Throws Error naming the file for an undecodable image or one of the wrong
/// size, and naming the folder when it is missing or holds no image.
Dataset read_image_folder(const std::string& folder, int64_t image_size_px, int64_t label);

/// trainA/ trainB/ testA/ testB/ under `dir`; all four must share one size
/// (`image_size_px` square, or the first trainA image's size when 0).
UnpairedSplits load_unpaired(const std::string& dir, int64_t image_size_px);

}  // namespace effbench
