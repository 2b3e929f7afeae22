#include "config/yaml_tree.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <sstream>
#include <utility>

namespace slagboom::config {
namespace {

int LineOf(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.line + 1;
}

// Builds a YamlNode tree from the parser's events.  Open collections wait
// on a stack and join their parent when they end.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& file, std::vector<ConfigError>* errors)
      : file_(file), errors_(errors) {}

  YamlNode TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents_;
    if (documents_ == 2) {
      Fail(LineOf(mark), "a configuration file holds one YAML document");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node;
    node.line = LineOf(mark);
    Finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    YamlNode node = it == anchors_.end() ? YamlNode{} : it->second;
    node.line = LineOf(mark);
    Finish(std::move(node), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag,
                YAML::anchor_t anchor, const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.line = LineOf(mark);
    node.text = value;
    // yaml-cpp tags plain scalars "?" and quoted or block ones "!".
    node.plain = tag == "?";
    Finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(YamlNode::Kind::kList, mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(YamlNode::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    YamlNode node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::map<std::string, int> key_lines;  // maps: first line of each key
    bool want_key = true;
    bool drop_value = false;  // the value of a refused key
    int key_line = 0;
  };

  void Fail(int line, std::string message) {
    errors_->push_back({file_, line, std::move(message)});
  }

  void Open(YamlNode::Kind kind, const YAML::Mark& mark,
            YAML::anchor_t anchor) {
    Frame frame;
    frame.node.kind = kind;
    frame.node.line = LineOf(mark);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Finish(std::move(frame.node), frame.anchor);
  }

  // A complete node joins its parent, or becomes the root.
  void Finish(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
    if (stack_.empty()) {
      if (documents_ <= 1) root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == YamlNode::Kind::kList) {
      parent.node.children.push_back(std::move(node));
    } else if (parent.want_key) {
      AddKey(parent, std::move(node));
    } else {
      AddValue(parent, std::move(node));
    }
  }

  void AddKey(Frame& map, YamlNode key) {
    map.want_key = false;
    map.key_line = key.line;
    if (key.kind != YamlNode::Kind::kScalar) {
      Fail(key.line, "a mapping key must be plain text");
      map.drop_value = true;
      return;
    }
    auto [it, fresh] = map.key_lines.emplace(key.text, key.line);
    if (!fresh) {
      Fail(key.line, fmt::format("repeated key '{}' (first at line {})",
                                 key.text, it->second));
      map.drop_value = true;
      return;
    }
    map.node.children.push_back(std::move(key));
  }

  void AddValue(Frame& map, YamlNode value) {
    map.want_key = true;
    if (map.drop_value) {
      map.drop_value = false;
      return;
    }
    // An empty value is marked where the next token starts: use the key's.
    if (value.kind == YamlNode::Kind::kNull) value.line = map.key_line;
    map.node.children.push_back(std::move(value));
  }

  const std::string& file_;
  std::vector<ConfigError>* errors_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, YamlNode> anchors_;
  YamlNode root_;
  int documents_ = 0;
};

}  // namespace

YamlNode ParseYamlTree(const std::string& text, const std::string& file,
                       std::vector<ConfigError>* errors) {
  std::istringstream in(text);
  TreeBuilder builder(file, errors);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    errors->push_back({file, LineOf(e.mark), "YAML syntax: " + e.msg});
    return YamlNode{};
  }
  return builder.TakeRoot();
}

}  // namespace slagboom::config
