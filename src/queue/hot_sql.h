// SQL of the engine's hot statements, exposed so tests can EXPLAIN them and
// check that they search an index instead of scanning.
#pragma once

namespace sluice::queue {

// ReceiveMessage's candidate query: ?1 queue id, ?2 now, ?3/?4 the
// (visible_at, id) cursor after which to continue, ?5 the row limit.
extern const char kSelectDeliverable[];
// The earliest visible_at after ?2 among queue ?1's messages.
extern const char kNextVisibleAt[];
// The retention sweep of one queue: ?1 queue id, ?2 sent_at bound, ?3 limit.
extern const char kSelectExpired[];
// FIFO receive: the groups of queue ?1 available at ?2 after the
// (available_at, id) cursor (?3, ?4), at most ?5 (receive_fifo.cc).
extern const char kSelectAvailableGroups[];
// FIFO: the first ?3 messages of group ?2 of queue ?1 (fifo_groups.cc).
extern const char kSelectGroupWindow[];
// FIFO send: the live deduplication record of (?1 queue, ?2 scope, ?3 id) at ?4.
extern const char kSelectDuplicate[];

}  // namespace sluice::queue
