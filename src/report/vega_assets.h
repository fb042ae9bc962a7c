#pragma once
// The vendored charting scripts (third_party/vega), compiled into the binary
// by src/report/embed_assets.cmake (Note [Self-contained report] in html.h).

#include <string>

namespace effbench {

/// Minified Vega, Vega-Lite and vega-embed, byte for byte as vendored.
std::string vega_js();
std::string vega_lite_js();
std::string vega_embed_js();

}  // namespace effbench
