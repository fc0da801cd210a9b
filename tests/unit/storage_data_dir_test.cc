// The data directory lock: creation, contention (in this process and from
// another one), release on destruction, moves.
#include "sluice/storage/data_dir.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

std::string InUseMessage(const std::string& dir) {
  return "data dir " + dir + " is in use by another sluice process (pid " +
         std::to_string(getpid()) + ")";
}

TEST(DataDirLockTest, CreatesMissingDirectoriesPrivatelyAndRecordsThePid) {
  TempDir temp;
  const std::string dir = temp.path() + "/nested/data";
  Result<DataDirLock> lock = DataDirLock::Acquire(dir);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_EQ(lock->dir(), dir);

  struct stat info;
  ASSERT_EQ(stat(dir.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  std::ifstream file(dir + "/LOCK");
  std::stringstream contents;
  contents << file.rdbuf();
  EXPECT_EQ(contents.str(), std::to_string(getpid()) + "\n");
}

TEST(DataDirLockTest, SecondAcquireInTheSameProcessIsRefused) {
  TempDir temp;
  Result<DataDirLock> first = DataDirLock::Acquire(temp.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // flock belongs to the open file description: a second open() conflicts.
  Result<DataDirLock> second = DataDirLock::Acquire(temp.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_EQ(second.status().message(), InUseMessage(temp.path()));
}

TEST(DataDirLockTest, AnotherProcessIsRefused) {
  TempDir temp;
  Result<DataDirLock> lock = DataDirLock::Acquire(temp.path());
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();

  const std::string expected = InUseMessage(temp.path());  // names this process, the holder
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child inherits our descriptor but opens LOCK afresh.
    Result<DataDirLock> theirs = DataDirLock::Acquire(temp.path());
    const bool refused_as_expected = !theirs.ok() &&
                                     theirs.status().code() == Code::kUnavailable &&
                                     theirs.status().message() == expected;
    _exit(refused_as_expected ? 0 : 1);
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
}

TEST(DataDirLockTest, DestructionReleasesTheLock) {
  TempDir temp;
  {
    Result<DataDirLock> lock = DataDirLock::Acquire(temp.path());
    ASSERT_TRUE(lock.ok());
  }
  Result<DataDirLock> again = DataDirLock::Acquire(temp.path());
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST(DataDirLockTest, MovingKeepsTheLockUntilTheLastOwnerDies) {
  TempDir temp;
  std::optional<DataDirLock> owner;
  {
    Result<DataDirLock> lock = DataDirLock::Acquire(temp.path());
    ASSERT_TRUE(lock.ok());
    owner.emplace(std::move(lock).value());
  }  // the moved-from object died here
  EXPECT_EQ(DataDirLock::Acquire(temp.path()).status().code(), Code::kUnavailable);

  Result<DataDirLock> other_dir_lock = DataDirLock::Acquire(temp.path() + "/other");
  ASSERT_TRUE(other_dir_lock.ok());
  *owner = std::move(other_dir_lock).value();  // releases the first lock
  EXPECT_TRUE(DataDirLock::Acquire(temp.path()).ok());
  EXPECT_EQ(DataDirLock::Acquire(temp.path() + "/other").status().code(), Code::kUnavailable);
  owner.reset();
  EXPECT_TRUE(DataDirLock::Acquire(temp.path() + "/other").ok());
}

TEST(DataDirLockTest, AFileInThePlaceOfTheDirectoryIsAnError) {
  TempDir temp;
  const std::string path = temp.path() + "/file";
  std::ofstream(path) << "x";
  Result<DataDirLock> lock = DataDirLock::Acquire(path);
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), Code::kStorageFailed);
  EXPECT_NE(lock.status().message().find(path), std::string::npos) << lock.status().message();
}

}  // namespace
}  // namespace sluice::storage
