// The startup check: bring the files back in line with the metadata after
// a crash, before any operation is admitted. The metadata is the truth: a
// file is an object only if a row names its generation.
//
//   PrepareDirectories()  I/O      root, .tmp and configured bucket
//                                  directories; remove every temp file
//                                  (writes that never got renamed)
//   CreateBuckets()       storage  configured buckets that are missing; all names
//   LoadJournal()         storage  rows with a journaled rewrap
//   ApplyJournal()        I/O      authenticate each journaled header, write
//                                  it in place, fdatasync
//   CompleteJournal()     storage  kek_version = rewrap_kek_version; a journal
//                                  that cannot be applied is dropped
//   LoadIndex()           storage  one bucket's (key, generation) rows; last,
//                                  the upload parts' (PartKey, generation)
//   ScanBucket()          I/O      walk the bucket's tree (the parts: the
//                                  tree under <root>/.uploads): remove files no row
//                                  names (orphans of a crash between rename
//                                  and commit, or of a removal that did not
//                                  happen), note rows whose file is missing,
//                                  remove empty directories
//   Report()              loop     one summary line
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "sink/sink_core.h"
#include "sluice/sink/names.h"

namespace sluice::sink {
namespace {

constexpr int kIndexPageRows = 5000;
constexpr size_t kNamesInLog = 10;

struct IndexEntry {
  std::string generation;
  bool seen = false;
};

std::string JoinSome(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < kNamesInLog; ++i) {
    if (i > 0) text += ", ";
    text += names[i];
  }
  if (names.size() > kNamesInLog) text += ", ... (" + std::to_string(names.size() - kNamesInLog) + " more)";
  return text;
}

class StartupCheck {
 public:
  StartupCheck(SinkCore& core, std::function<void(Status)> done)
      : scope_(core), core_(core), done_(std::move(done)) {}

  void Start() { PrepareDirectories(); }

 private:
  struct Journaled {
    ObjectRow row;
    Status status;
  };

  void PrepareDirectories() {
    core_.Pool(
        [this] {
          status_ = core_.files.PrepareRoot();
          if (status_.ok()) status_ = RemoveTempFiles();
          for (const std::string& bucket : core_.config.buckets) {
            if (status_.ok()) status_ = core_.files.PrepareBucket(bucket);
          }
        },
        [this] { CreateBuckets(); });
  }

  Status RemoveTempFiles() {  // I/O thread
    const std::string dir = core_.files.TempDirectory();
    DIR* stream = opendir(dir.c_str());
    if (stream == nullptr) return ErrnoStatus("cannot open directory", dir, errno);
    std::vector<std::string> names;
    while (dirent* entry = readdir(stream)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (entry->d_type == DT_DIR) {
        report_.unexpected.push_back(".tmp/" + name);  // not one of our temp files
        continue;
      }
      names.push_back(name);
    }
    closedir(stream);
    for (const std::string& name : names) {
      SLUICE_RETURN_IF_ERROR(RemoveFile(dir + "/" + name));
      ++report_.removed_temp_files;
    }
    return Status::Ok();
  }

  void CreateBuckets() {
    if (!status_.ok()) return Finish(status_);
    Metadata* metadata = &core_.metadata;
    const int64_t now = core_.clock.NowMillis();
    core_.Storage(
        [this, metadata, now](sqlite3* db) {
          for (const std::string& bucket : core_.config.buckets) {
            bool created = false;
            SLUICE_RETURN_IF_ERROR(metadata->CreateBucket(db, bucket, "", now, &created));
          }
          Result<std::vector<std::string>> names = metadata->BucketNames(db);
          if (!names.ok()) return names.status();
          bucket_names_ = std::move(names).value();
          return Status::Ok();
        },
        [this](Status status) {
          if (!status.ok()) return Finish(status);
          core_.buckets = std::set<std::string>(bucket_names_.begin(), bucket_names_.end());
          // The parts of multipart uploads are checked like one more bucket.
          bucket_names_.emplace_back(kUploadsArea);
          LoadJournal();
        });
  }

  void LoadJournal() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::vector<ObjectRow>> rows = metadata->JournaledRewraps(db);
          if (!rows.ok()) return rows.status();
          for (ObjectRow& row : *rows) journaled_.push_back(Journaled{std::move(row), Status::Ok()});
          return Status::Ok();
        },
        [this](Status status) {
          if (!status.ok()) return Finish(status);
          if (journaled_.empty()) return NextBucket();
          core_.Pool([this] { ApplyJournal(); }, [this] { CompleteJournal(); });
        });
  }

  void ApplyJournal() {  // I/O thread
    for (Journaled& entry : journaled_) {
      const ObjectRow& row = entry.row;
      const ObjectBinding object{row.info.bucket, row.info.key, row.info.generation};
      // Write only a header that authenticates for this very object.
      Result<EnvelopeHeader> header = EnvelopeHeader::Parse(object, row.rewrap_header);
      if (!header.ok()) {
        entry.status = header.status();
        continue;
      }
      Result<Kek> kek = core_.keyring->Find(header->kek_version());
      if (!kek.ok()) {
        entry.status = kek.status();
        continue;
      }
      Result<std::unique_ptr<ObjectReader>> reader = ObjectReader::Open(object, *header, *kek);
      entry.status = reader.ok() ? core_.files.WriteHeader(object, row.rewrap_header) : reader.status();
    }
  }

  void CompleteJournal() {
    if (Status failure = core_.files.failure(); !failure.ok()) return Finish(failure);
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          for (Journaled& entry : journaled_) {
            if (entry.status.ok()) {
              Result<bool> completed = metadata->CompleteRewrap(db, entry.row.info);
              if (!completed.ok()) return completed.status();
            } else {
              SLUICE_RETURN_IF_ERROR(metadata->AbandonRewrap(db, entry.row.info));
            }
          }
          return Status::Ok();
        },
        [this](Status status) {
          if (!status.ok()) return Finish(status);
          for (const Journaled& entry : journaled_) {
            const std::string name = DisplayName(entry.row.info.bucket, entry.row.info.key);
            if (entry.status.ok()) {
              ++report_.finished_rewraps;
            } else {
              spdlog::warn("sink check: dropped the journaled rewrap of {}: {}", name, entry.status.message());
            }
          }
          NextBucket();
        });
  }

  void NextBucket() {
    if (next_bucket_ == bucket_names_.size()) return ScanRoot();
    bucket_ = bucket_names_[next_bucket_++];
    index_.clear();
    index_after_.clear();
    LoadIndex();
  }

  void LoadIndex() {
    Metadata* metadata = &core_.metadata;
    core_.Storage(
        [this, metadata](sqlite3* db) {
          Result<std::vector<std::pair<std::string, std::string>>> rows =
              metadata->Generations(db, bucket_, index_after_, kIndexPageRows);
          if (!rows.ok()) return rows.status();
          page_rows_ = rows->size();
          for (auto& [key, generation] : *rows) {
            index_after_ = key;
            index_.emplace(std::move(key), IndexEntry{std::move(generation), false});
          }
          return Status::Ok();
        },
        [this](Status status) {
          if (!status.ok()) return Finish(status);
          if (page_rows_ == static_cast<size_t>(kIndexPageRows)) return LoadIndex();
          (bucket_ == kUploadsArea ? report_.parts : report_.objects) += index_.size();
          core_.Pool([this] { status_ = ScanDirectory(core_.files.BucketDirectory(bucket_), ""); },
                     [this] { ScannedBucket(); });
        });
  }

  // Walks `path` (the bucket directory, or one below it whose keys start
  // with `relative`). I/O thread.
  Status ScanDirectory(const std::string& path, const std::string& relative) {
    DIR* stream = opendir(path.c_str());
    if (stream == nullptr) {
      if (errno == ENOENT && relative.empty()) return Status::Ok();  // every file missing: reported below
      return ErrnoStatus("cannot open directory", path, errno);
    }
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (dirent* entry = readdir(stream)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") entries.emplace_back(name, entry->d_type);
    }
    closedir(stream);
    for (auto& [name, type] : entries) {
      const std::string full = path + "/" + name;
      const std::string rel = relative + name;
      if (type == DT_UNKNOWN) {
        struct stat info;
        if (lstat(full.c_str(), &info) != 0) return ErrnoStatus("cannot stat", full, errno);
        type = S_ISDIR(info.st_mode) ? DT_DIR : S_ISREG(info.st_mode) ? DT_REG : DT_UNKNOWN;
      }
      if (type == DT_DIR) {
        SLUICE_RETURN_IF_ERROR(ScanDirectory(full, rel + "/"));
        (void)rmdir(full.c_str());  // only succeeds when empty
        continue;
      }
      std::string key, generation;
      if (type != DT_REG || !ParseObjectFileName(rel, &key, &generation)) {
        report_.unexpected.push_back(bucket_ + "/" + rel);
        continue;
      }
      auto found = index_.find(key);
      if (found != index_.end() && found->second.generation == generation) {
        found->second.seen = true;
        continue;
      }
      SLUICE_RETURN_IF_ERROR(RemoveFile(full));
      report_.removed_orphans.push_back(bucket_ + "/" + rel);
    }
    return Status::Ok();
  }

  void ScannedBucket() {
    if (!status_.ok()) return Finish(status_);
    for (const auto& [key, entry] : index_) {
      if (!entry.seen) report_.missing_files.push_back(DisplayName(bucket_, key));
    }
    NextBucket();
  }

  // Anything in the root that is neither a bucket nor .tmp is noted.
  void ScanRoot() {
    core_.Pool(
        [this, buckets = core_.buckets] {
          DIR* stream = opendir(core_.files.root().c_str());
          if (stream == nullptr) {
            status_ = ErrnoStatus("cannot open directory", core_.files.root(), errno);
            return;
          }
          while (dirent* entry = readdir(stream)) {
            const std::string name = entry->d_name;
            if (name == "." || name == ".." || name == ".tmp" || name == kUploadsArea ||
                buckets.count(name) != 0) {
              continue;
            }
            report_.unexpected.push_back(name);
          }
          closedir(stream);
        },
        [this] {
          if (!status_.ok()) return Finish(status_);
          Report();
          Finish(Status::Ok());
        });
  }

  void Report() {
    spdlog::info("sink check: {} objects, {} upload parts, removed {} orphan files{}{}; removed {} temp files; "
                 "{} rows without their file{}{}; finished {} journaled rewraps",
                 report_.objects, report_.parts, report_.removed_orphans.size(),
                 report_.removed_orphans.empty() ? "" : ": ", JoinSome(report_.removed_orphans),
                 report_.removed_temp_files, report_.missing_files.size(),
                 report_.missing_files.empty() ? "" : ": ", JoinSome(report_.missing_files),
                 report_.finished_rewraps);
    if (!report_.missing_files.empty()) {
      spdlog::error("sink check: {} objects have lost their file and will fail to read; "
                    "see `sluice sink verify`", report_.missing_files.size());
    }
    if (!report_.unexpected.empty()) {
      spdlog::warn("sink check: left alone {} entries under {} that are not sealed objects: {}",
                   report_.unexpected.size(), core_.files.root(), JoinSome(report_.unexpected));
    }
  }

  void Finish(const Status& status) {
    if (status.ok()) core_.check_report = std::move(report_);
    done_(status);
    delete this;
  }

  OperationScope scope_;
  SinkCore& core_;
  std::function<void(Status)> done_;
  CheckReport report_;
  Status status_;  // of the last I/O step
  std::vector<std::string> bucket_names_;
  std::vector<Journaled> journaled_;
  size_t next_bucket_ = 0;
  std::string bucket_;  // being checked
  std::unordered_map<std::string, IndexEntry> index_;
  std::string index_after_;
  size_t page_rows_ = 0;
};

}  // namespace

void RunStartupCheck(SinkCore& core, std::function<void(Status)> done) {
  (new StartupCheck(core, std::move(done)))->Start();
}

}  // namespace sluice::sink
