/* sluice_fsync_loop: the disk's own rate of durable small appends, the peer
 * against which group commit is judged. A durable SendMessage cannot be
 * answered faster than its commit is synced; without group commit every
 * request would cost one of these, so requests/s above this rate show
 * batching at work.
 *
 *   sluice_fsync_loop DIR [COUNT [append|overwrite]]   (defaults: 2000, append)
 *
 * Writes 100 bytes and calls fdatasync() COUNT times on a new file in DIR
 * (use the filesystem the data dir lives on), then deletes the file.
 *   append     each record extends the file, as a fresh SQLite WAL does; each
 *              sync then also carries the new file size (a journal commit).
 *   overwrite  the file is written and synced in full first, then records
 *              overwrite it in order, as a WAL does once it restarts from
 *              its beginning after a checkpoint; only data is synced.
 * Prints:
 *   RESULT mode=M fsyncs=N seconds=S fsyncs_per_s=R p50_ms=... p99_ms=...
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: sluice_fsync_loop DIR [COUNT [append|overwrite]]\n");
    return 2;
  }
  long count = argc >= 3 ? atol(argv[2]) : 2000;
  if (count < 1) count = 1;
  const char* mode = argc == 4 ? argv[3] : "append";
  int overwrite = strcmp(mode, "overwrite") == 0;
  if (!overwrite && strcmp(mode, "append") != 0) {
    fprintf(stderr, "sluice_fsync_loop: mode must be append or overwrite\n");
    return 2;
  }

  char path[4096];
  snprintf(path, sizeof path, "%s/fsync_loop.%ld.dat", argv[1], (long)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | (overwrite ? 0 : O_APPEND), 0600);
  if (fd < 0) {
    fprintf(stderr, "sluice_fsync_loop: open %s: %s\n", path, strerror(errno));
    return 1;
  }
  double* latencies = malloc((size_t)count * sizeof *latencies);
  if (latencies == NULL) return 1;
  char record[100];
  memset(record, 'x', sizeof record);
  record[sizeof record - 1] = '\n';

  int status = 0;
  if (overwrite) {  /* lay the file out and make its size durable before timing */
    for (long i = 0; i < count && status == 0; ++i) {
      if (write(fd, record, sizeof record) != (ssize_t)sizeof record) status = 1;
    }
    if (status != 0 || fsync(fd) != 0) {
      fprintf(stderr, "sluice_fsync_loop: preparing %s: %s\n", path, strerror(errno));
      close(fd);
      unlink(path);
      return 1;
    }
  }
  double start = now_seconds();
  for (long i = 0; i < count; ++i) {
    double before = now_seconds();
    ssize_t written = overwrite ? pwrite(fd, record, sizeof record, (off_t)(i * (long)sizeof record))
                                : write(fd, record, sizeof record);
    if (written != (ssize_t)sizeof record || fdatasync(fd) != 0) {
      fprintf(stderr, "sluice_fsync_loop: write/fdatasync: %s\n", strerror(errno));
      status = 1;
      count = i;
      break;
    }
    latencies[i] = now_seconds() - before;
  }
  double seconds = now_seconds() - start;
  close(fd);
  unlink(path);

  if (count > 0) {
    qsort(latencies, (size_t)count, sizeof *latencies, compare_doubles);
    long p99 = (long)((double)count * 0.99 + 0.999999) - 1;
    printf("RESULT mode=%s fsyncs=%ld seconds=%.3f fsyncs_per_s=%.1f p50_ms=%.3f p99_ms=%.3f\n", mode, count, seconds,
           (double)count / seconds, latencies[count / 2] * 1e3, latencies[p99 < 0 ? 0 : p99] * 1e3);
  }
  free(latencies);
  return status;
}
