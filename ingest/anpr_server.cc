#include "ingest/anpr_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>

namespace slagboom::ingest {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// One camera connection: read a line, handle it, answer, read the next.
class AnprServer::Connection
    : public std::enable_shared_from_this<AnprServer::Connection> {
 public:
  Connection(tcp::socket socket, AnprServer& server, uint64_t id)
      : socket_(std::move(socket)),
        server_(server),
        id_(id),
        buffer_(server.max_line_bytes_ + 1) {}

  void ReadLine() {
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](error_code ec, size_t n) {
          self->OnRead(ec, n);
        });
  }

 private:
  void OnRead(error_code ec, size_t n) {
    if (ec == asio::error::not_found) {
      // The buffer is full without a line end: drop what came and the
      // rest of the line, and answer once it ends.
      buffer_.consume(buffer_.size());
      too_long_ = true;
      ReadLine();
      return;
    }
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::operation_aborted)
        spdlog::warn("anpr connection={} closed: {}", id_, ec.message());
      return;
    }
    std::string line(asio::buffers_begin(buffer_.data()),
                     asio::buffers_begin(buffer_.data()) + n - 1);
    buffer_.consume(n);
    Answer(Handle(line));
  }

  std::string Handle(const std::string& line) {
    ++server_.lines_;
    if (too_long_) {
      too_long_ = false;
      return Bad("line",
                 fmt::format("longer than {} bytes", server_.max_line_bytes_));
    }
    AnprRead read;
    core::Status s = ParseAnprRead(line, &read);
    if (!s.ok()) {
      return Bad(s.details().empty() ? "line" : s.details()[0].field,
                 s.details().empty() ? s.message() : s.details()[0].problem);
    }
    std::string incident;
    switch (server_.matcher_.Handle(read, &incident)) {
      case AnprMatcher::Outcome::kInvalid:
        return Bad("plate", "not a plate of that country");
      case AnprMatcher::Outcome::kFailed:
        return "error incident: not stored\n";
      default:
        return "ok\n";
    }
  }

  std::string Bad(const std::string& field, const std::string& problem) {
    ++server_.bad_lines_;
    spdlog::warn("anpr connection={} bad line: {}: {}", id_, field, problem);
    return fmt::format("error {}: {}\n", field, problem);
  }

  void Answer(std::string reply) {
    reply_ = std::move(reply);
    asio::async_write(socket_, asio::buffer(reply_),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (!ec) self->ReadLine();
                      });
  }

  tcp::socket socket_;
  AnprServer& server_;
  uint64_t id_;
  asio::streambuf buffer_;
  std::string reply_;
  bool too_long_ = false;
};

namespace {

tcp::endpoint Endpoint(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec || colon == std::string::npos)
    throw std::runtime_error("anpr: cannot listen on " + listen);
  return {address, static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)))};
}

}  // namespace

AnprServer::AnprServer(const std::string& listen, size_t max_line_bytes,
                       AnprMatcher& matcher)
    : acceptor_(io_), max_line_bytes_(max_line_bytes), matcher_(matcher) {
  const tcp::endpoint endpoint = Endpoint(listen);
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("anpr: cannot listen on {}: {}", listen, ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
}

AnprServer::~AnprServer() { Stop(); }

void AnprServer::Start() {
  Accept();
  thread_ = std::thread([this] { io_.run(); });
  spdlog::info("anpr listening on port {}", port_);
}

void AnprServer::Stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] { acceptor_.close(); });
  io_.stop();
  thread_.join();
}

void AnprServer::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      const uint64_t id = ++connections_;
      std::make_shared<Connection>(std::move(socket), *this, id)->ReadLine();
    } else {
      spdlog::warn("anpr accept failed: {}", ec.message());
    }
    Accept();
  });
}

}  // namespace slagboom::ingest
