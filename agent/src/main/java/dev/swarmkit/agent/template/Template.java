package dev.swarmkit.agent.template;

import dev.swarmkit.agent.template.TemplateContext.Struct;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed template in the subset of Go's text/template that upstream's template contexts use. An
 * action may be a field chain (such as {@code .Service.Name} or {@code .Service.Labels.tier}), a
 * string literal, or a call of {@code index} (label map and key), {@code join} (separator, then
 * strings) or a function the caller provides ({@code env}, {@code secret}, {@code config}) with
 * string literals or field chains as arguments. Trim markers and comment actions work as in Go.
 * Anything else (pipelines, variables, {@code if}/{@code range}/{@code with}, numbers) is refused
 * with an error. As upstream ({@code missingkey=error}), a missing map key in a field chain is an
 * error, while {@code index} gives an empty string.
 */
public final class Template {

  private static final Set<String> KEYWORDS = Set.of("if", "else", "end", "range", "with", "define",
      "template", "block", "break", "continue", "nil", "true", "false");

  private sealed interface Part permits Text, Action {}

  private record Text(String text) implements Part {}

  /** One action: its source (for messages) and its operands, the first being the function if a call. */
  private record Action(String source, List<Operand> operands) implements Part {}

  private sealed interface Operand permits Literal, Field, Identifier {}

  private record Literal(String value) implements Operand {}

  private record Field(List<String> path) implements Operand {
    String text() {
      return "." + String.join(".", path);
    }
  }

  private record Identifier(String name) implements Operand {}

  private final List<Part> parts;

  private Template(List<Part> parts) {
    this.parts = parts;
  }

  /** Parses {@code source}; fails on syntax errors and on constructs outside the subset. */
  public static Template parse(String source) throws TemplateException {
    List<Part> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      int open = source.indexOf("{{", i);
      if (open < 0) {
        text.append(source, i, source.length());
        break;
      }
      text.append(source, i, open);
      int start = open + 2;
      if (isTrimMarker(source, start)) {
        trimTrailingSpace(text);
        start += 2;
      }
      int close = findClose(source, start);
      int end = close;
      boolean trimAfter = false;
      if (close - 2 >= start && source.charAt(close - 1) == '-' && isSpace(source.charAt(close - 2))) {
        trimAfter = true;
        end = close - 1;
      }
      String body = source.substring(start, end).strip();
      if (!text.isEmpty()) {
        parts.add(new Text(text.toString()));
        text.setLength(0);
      }
      if (!(body.startsWith("/*") && body.endsWith("*/"))) {
        parts.add(new Action(body, operands(body)));
      }
      i = close + 2;
      if (trimAfter) {
        while (i < source.length() && isSpace(source.charAt(i))) {
          i++;
        }
      }
    }
    if (!text.isEmpty()) {
      parts.add(new Text(text.toString()));
    }
    return new Template(parts);
  }

  /** Evaluates against {@code context}, with {@code functions} callable by name. */
  public String execute(TemplateContext context, Map<String, TemplateFunction> functions) throws TemplateException {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Text t) {
        out.append(t.text());
      } else {
        Action a = (Action) part;
        out.append(print(a, evaluate(a, context, functions)));
      }
    }
    return out.toString();
  }

  /** Parses and evaluates {@code source} in one step; plain strings are returned as they are. */
  public static String expand(String source, TemplateContext context, Map<String, TemplateFunction> functions)
      throws TemplateException {
    if (!source.contains("{{")) {
      return source;
    }
    return parse(source).execute(context, functions);
  }

  private static boolean isTrimMarker(String s, int at) {
    return at + 1 < s.length() && s.charAt(at) == '-' && isSpace(s.charAt(at + 1));
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static void trimTrailingSpace(StringBuilder text) {
    int n = text.length();
    while (n > 0 && isSpace(text.charAt(n - 1))) {
      n--;
    }
    text.setLength(n);
  }

  /** The index of the action's closing braces, skipping quoted strings and comments. */
  private static int findClose(String s, int from) throws TemplateException {
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        if (end < 0) {
          throw new TemplateException("unclosed comment");
        }
        i = end + 2;
      } else if (c == '"') {
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          i += s.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else if (c == '`') {
        int end = s.indexOf('`', i + 1);
        i = end < 0 ? s.length() : end + 1;
      } else if (s.startsWith("}}", i)) {
        return i;
      } else {
        i++;
      }
    }
    throw new TemplateException("unclosed action");
  }

  private static List<Operand> operands(String body) throws TemplateException {
    List<Operand> out = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c == '"') {
        StringBuilder value = new StringBuilder();
        i++;
        while (true) {
          if (i >= body.length()) {
            throw new TemplateException("unterminated quoted string in {{" + body + "}}");
          }
          char d = body.charAt(i++);
          if (d == '"') {
            break;
          }
          if (d != '\\') {
            value.append(d);
            continue;
          }
          char e = i < body.length() ? body.charAt(i++) : ' ';
          switch (e) {
            case '\\', '"' -> value.append(e);
            case 'n' -> value.append('\n');
            case 't' -> value.append('\t');
            case 'r' -> value.append('\r');
            default -> throw new TemplateException("unsupported escape \\" + e + " in {{" + body + "}}");
          }
        }
        out.add(new Literal(value.toString()));
      } else if (c == '`') {
        int end = body.indexOf('`', i + 1);
        out.add(new Literal(body.substring(i + 1, end)));
        i = end + 1;
      } else if (c == '.' || Character.isLetter(c) || c == '_') {
        int end = i + 1;
        while (end < body.length() && (Character.isLetterOrDigit(body.charAt(end)) || body.charAt(end) == '_'
            || body.charAt(end) == '.')) {
          end++;
        }
        String word = body.substring(i, end);
        if (c == '.') {
          if (word.equals(".") || word.contains("..") || word.endsWith(".")) {
            throw unsupported(body, "only field chains such as .Service.Name are supported, not \"" + word + "\"");
          }
          out.add(new Field(List.of(word.substring(1).split("\\."))));
        } else {
          if (KEYWORDS.contains(word)) {
            throw unsupported(body, "\"" + word + "\" is not supported");
          }
          if (word.contains(".")) {
            throw unsupported(body, "method calls are not supported");
          }
          out.add(new Identifier(word));
        }
        i = end;
      } else {
        String what = switch (c) {
          case '|' -> "pipelines are not supported";
          case '$' -> "variables are not supported";
          case '(' -> "parenthesized expressions are not supported";
          default -> "unexpected \"" + c + "\"";
        };
        throw unsupported(body, what);
      }
    }
    if (out.isEmpty()) {
      throw new TemplateException("missing value for command in {{" + body + "}}");
    }
    for (int k = 1; k < out.size(); k++) {
      if (out.get(k) instanceof Identifier id) {
        throw unsupported(body, "function \"" + id.name() + "\" can only be called first in an action");
      }
    }
    if (!(out.get(0) instanceof Identifier) && out.size() > 1) {
      throw unsupported(body, "can't give argument to non-function " + describe(out.get(0)));
    }
    return out;
  }

  private static String describe(Operand o) {
    if (o instanceof Field f) {
      return f.text();
    }
    return o instanceof Literal l ? "\"" + l.value() + "\"" : ((Identifier) o).name();
  }

  private static TemplateException unsupported(String body, String why) {
    return new TemplateException("unsupported template expression {{" + body + "}}: " + why);
  }

  private Object evaluate(Action a, TemplateContext context, Map<String, TemplateFunction> functions)
      throws TemplateException {
    Operand first = a.operands().get(0);
    if (!(first instanceof Identifier fn)) {
      return value(a, first, context);
    }
    List<Object> args = new ArrayList<>();
    for (Operand o : a.operands().subList(1, a.operands().size())) {
      args.add(value(a, o, context));
    }
    switch (fn.name()) {
      case "index" -> {
        if (args.size() != 2 || !(args.get(0) instanceof Map<?, ?> map) || !(args.get(1) instanceof String key)) {
          throw unsupported(a.source(), "index takes a label map and a string key");
        }
        Object v = map.get(key);
        return v == null ? "" : v;
      }
      case "join" -> {
        if (args.isEmpty()) {
          throw new TemplateException("wrong number of args for join: want at least 1 got 0");
        }
        List<String> strings = strings(a, "join", args);
        return String.join(strings.get(0), strings.subList(1, strings.size()));
      }
      default -> {
        TemplateFunction f = functions.get(fn.name());
        if (f == null) {
          List<String> known = new ArrayList<>(List.of("index", "join"));
          known.addAll(new TreeMap<>(functions).keySet());
          throw new TemplateException("function \"" + fn.name() + "\" not defined in {{" + a.source()
              + "}} (available here: " + String.join(", ", known) + ")");
        }
        if (args.size() != 1) {
          throw new TemplateException("wrong number of args for " + fn.name() + ": want 1 got " + args.size());
        }
        String arg = strings(a, fn.name(), args).get(0);
        try {
          return f.apply(arg);
        } catch (TemplateException e) {
          throw new TemplateException("error calling " + fn.name() + ": " + e.getMessage());
        }
      }
    }
  }

  private static List<String> strings(Action a, String fn, List<Object> args) throws TemplateException {
    List<String> out = new ArrayList<>();
    for (Object o : args) {
      if (!(o instanceof String s)) {
        throw unsupported(a.source(), fn + " takes strings");
      }
      out.add(s);
    }
    return out;
  }

  private static Object value(Action a, Operand o, TemplateContext context) throws TemplateException {
    if (o instanceof Literal l) {
      return l.value();
    }
    if (o instanceof Identifier id) {
      throw unsupported(a.source(), "function \"" + id.name() + "\" used as a value");
    }
    Object current = context.root();
    for (String name : ((Field) o).path()) {
      if (current instanceof Struct s) {
        if (!s.fields().containsKey(name)) {
          throw new TemplateException("unsupported template expression {{" + a.source() + "}}: "
              + s.type() + " has no field " + name + " (supported: .Service.ID, .Service.Name, .Service.Labels, "
              + ".Node.ID, .Node.Hostname, .Node.Platform.OS, .Node.Platform.Architecture, .Task.ID, .Task.Name, "
              + ".Task.Slot)");
        }
        current = s.fields().get(name);
      } else if (current instanceof Map<?, ?> map) {
        current = map.get(name);
        if (current == null) {
          throw new TemplateException("map has no entry for key \"" + name + "\"");
        }
      } else {
        throw new TemplateException("unsupported template expression {{" + a.source() + "}}: can't evaluate field "
            + name + " in type string");
      }
    }
    return current;
  }

  /** Go's fmt for the values a template can print: strings, and maps as {@code map[k:v k2:v2]}. */
  private static String print(Action a, Object value) throws TemplateException {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("map[");
      new TreeMap<>(map).forEach((k, v) -> out.append(out.length() > 4 ? " " : "").append(k).append(':').append(v));
      return out.append(']').toString();
    }
    throw unsupported(a.source(), "cannot print a whole " + ((Struct) value).type() + "; name one of its fields");
  }
}
