# Note [Dependencies]
# Every third-party library is found here, once, as the imported target its
# own CMake package defines; the src/ folders only link those targets.
#
# Two sources:
# - Debian's -dev packages (the default; scripts/setup.sh installs them).
# - A dependency folder, EFFBENCH_DEPS_DIR, for a machine that has a LibTorch
#   and a compiler but no package registry (the GPU machine, docs/gpu.md).
#   scripts/gather_deps.sh fills it on a Debian machine:
#     include/         header-only libraries (CLI11, nlohmann-json, Eigen, the
#                      Boost.Math closure, stb) and sqlite3.h, zlib.h
#     gloo-include/    Gloo's and fmt's headers, which LibTorch's c10d headers
#     fmt-include/     include, used only when the LibTorch ships none
#     lib/             libsqlite3.a, libz.a (static: no shared-library
#                      version to match on the target machine)
#     googletest/      GoogleTest's sources, built here with the project's
#                      compiler and C++ ABI
set(EFFBENCH_DEPS_DIR "" CACHE PATH
  "Dependency folder made by scripts/gather_deps.sh (empty: Debian's packages)")

if(NOT EFFBENCH_DEPS_DIR)
  if(POLICY CMP0167)
    cmake_policy(SET CMP0167 NEW)  # Boost's own BoostConfig.cmake (CMake 3.30 drops FindBoost)
  endif()
  find_package(nlohmann_json 3 REQUIRED)
  find_package(Eigen3 3.3 REQUIRED NO_MODULE)
  find_package(Boost REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(ZLIB REQUIRED)
  find_package(SQLite3 REQUIRED)
  if(EFFBENCH_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
  return()
endif()

get_filename_component(deps_dir "${EFFBENCH_DEPS_DIR}" ABSOLUTE)
if(NOT EXISTS "${deps_dir}/MANIFEST.txt")
  message(FATAL_ERROR "EFFBENCH_DEPS_DIR=${EFFBENCH_DEPS_DIR}: not a dependency folder (no MANIFEST.txt); "
                      "make one with scripts/gather_deps.sh on a Debian machine")
endif()
message(STATUS "effbench: dependencies from ${deps_dir}")

foreach(header_only nlohmann_json::nlohmann_json Eigen3::Eigen Boost::headers CLI11::CLI11)
  add_library(${header_only} INTERFACE IMPORTED)
  set_target_properties(${header_only} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${deps_dir}/include")
endforeach()
# stb has no CMake package: on Debian it is found in /usr/include.
include_directories(SYSTEM "${deps_dir}/include")

add_library(ZLIB::ZLIB STATIC IMPORTED)
set_target_properties(ZLIB::ZLIB PROPERTIES
  IMPORTED_LOCATION "${deps_dir}/lib/libz.a"
  INTERFACE_INCLUDE_DIRECTORIES "${deps_dir}/include")
add_library(SQLite::SQLite3 STATIC IMPORTED)
set_target_properties(SQLite::SQLite3 PROPERTIES
  IMPORTED_LOCATION "${deps_dir}/lib/libsqlite3.a"
  INTERFACE_INCLUDE_DIRECTORIES "${deps_dir}/include"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")

# Headers that LibTorch's own headers include: c10d's ProcessGroupGloo.hpp
# includes Gloo's, c10d's logging.h fmt's. They should match what LibTorch was
# compiled with, so a LibTorch that ships them (include/gloo, include/fmt: pip
# wheels ship fmt, not Gloo) keeps its own, and only a missing one comes from
# the folder (Debian's; c10d uses Gloo only through pointers).
foreach(torch_dependency gloo fmt)
  set(shipped OFF)
  foreach(dir ${TORCH_INCLUDE_DIRS})
    if(EXISTS "${dir}/${torch_dependency}")
      set(shipped ON)
    endif()
  endforeach()
  if(shipped)
    message(STATUS "effbench: ${torch_dependency} headers from LibTorch")
  else()
    include_directories(AFTER SYSTEM "${deps_dir}/${torch_dependency}-include")
    message(STATUS "effbench: ${torch_dependency} headers from ${deps_dir}/${torch_dependency}-include")
  endif()
endforeach()

if(EFFBENCH_BUILD_TESTS)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  # GoogleTest 1.12 asks for CMake 3.5, which CMake 3.27+ warns about and
  # CMake 4 accepts only with a policy minimum: quiet and allowed here.
  set(CMAKE_WARN_DEPRECATED OFF)
  set(CMAKE_POLICY_VERSION_MINIMUM 3.5)
  add_subdirectory("${deps_dir}/googletest" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
  unset(CMAKE_POLICY_VERSION_MINIMUM)
  unset(CMAKE_WARN_DEPRECATED)
  foreach(gtest_target gtest gtest_main)
    if(NOT TARGET GTest::${gtest_target})  # GoogleTest 1.11+ defines them itself
      add_library(GTest::${gtest_target} ALIAS ${gtest_target})
    endif()
  endforeach()
endif()
