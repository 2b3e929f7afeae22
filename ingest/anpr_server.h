// The plate-camera (ANPR) feed: a TCP server taking one read per line
// (JSON object or CSV, see anpr_read.h) and answering each line with one
// line: "ok" or "error <field>: <problem>".
//
// Backpressure instead of buffering: a connection reads one line into a
// buffer of at most max_line_bytes, handles it, writes its answer and only
// then reads the next, so a fast camera is slowed down by TCP itself and
// nothing queues up in memory.  A bad line (unreadable, too long) is
// answered, logged and counted; the connection stays open.
#ifndef SLAGBOOM_INGEST_ANPR_SERVER_H_
#define SLAGBOOM_INGEST_ANPR_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <thread>

#include "ingest/anpr_matcher.h"

namespace slagboom::ingest {

class AnprServer {
 public:
  // Binds `listen` (HOST:PORT, port 0 picks a free one).  Throws
  // std::runtime_error when it cannot (start-up).  `matcher` must outlive
  // the server and is used from the server's thread only.
  AnprServer(const std::string& listen, size_t max_line_bytes,
             AnprMatcher& matcher);
  ~AnprServer();  // Stop()
  AnprServer(const AnprServer&) = delete;
  AnprServer& operator=(const AnprServer&) = delete;

  // Accepts connections on a thread of its own until Stop().
  void Start();
  // Closes the listener and every connection and joins the thread.
  void Stop();

  uint16_t port() const { return port_; }
  uint64_t connections() const { return connections_; }
  uint64_t lines() const { return lines_; }
  uint64_t bad_lines() const { return bad_lines_; }

 private:
  class Connection;

  void Accept();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  size_t max_line_bytes_;
  AnprMatcher& matcher_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> lines_{0};
  std::atomic<uint64_t> bad_lines_{0};
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_ANPR_SERVER_H_
