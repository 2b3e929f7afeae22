// A YAML document as a plain tree that keeps what yaml-cpp's own nodes
// forget: the line of every node, whether a scalar was quoted, and repeated
// keys, which yaml-cpp 0.7 accepts without a word.  Internal to config.
#ifndef SLAGBOOM_CONFIG_YAML_TREE_H_
#define SLAGBOOM_CONFIG_YAML_TREE_H_

#include <string>
#include <vector>

#include "config/config.h"

namespace slagboom::config {

struct YamlNode {
  enum class Kind { kNull, kScalar, kList, kMap };

  Kind kind = Kind::kNull;
  int line = 0;       // 1-based; 0 when unknown
  std::string text;   // kScalar: the text exactly as written
  bool plain = true;  // kScalar: neither quoted, block nor tagged
  // kList: the items.  kMap: keys (always kScalar) and values alternately.
  std::vector<YamlNode> children;

  size_t MapSize() const { return children.size() / 2; }
  const YamlNode& Key(size_t i) const { return children[2 * i]; }
  const YamlNode& Value(size_t i) const { return children[2 * i + 1]; }
};

// Parses the first document of `text` (an empty text gives a kNull root).
// Appends to *errors, naming `file`: a syntax error, a repeated key (with
// both lines; the first value is kept), a key that is not text, a second
// document.  Anchors and aliases are resolved by copying.
YamlNode ParseYamlTree(const std::string& text, const std::string& file,
                       std::vector<ConfigError>* errors);

}  // namespace slagboom::config

#endif  // SLAGBOOM_CONFIG_YAML_TREE_H_
