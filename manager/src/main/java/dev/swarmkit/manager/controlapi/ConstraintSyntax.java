package dev.swarmkit.manager.controlapi;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Syntax check of placement constraints ("key==value" / "key!=value"), mirroring upstream's
 * constraint parser. Only the syntax: matching against nodes is the scheduler's business.
 */
final class ConstraintSyntax {

  private static final List<String> OPERATORS = List.of("==", "!=");
  private static final Pattern KEY = Pattern.compile("(?i)[a-z_][a-z0-9\\-_.]+");
  // Values must not contain present or future operators such as '>', '<' or '~'.
  private static final Pattern VALUE =
      Pattern.compile("(?i)[a-z0-9:\\-_\\s.*()?+\\[\\]\\\\^$|/]+");

  private ConstraintSyntax() {}

  /** Throws INVALID_ARGUMENT with upstream's message for the first malformed constraint. */
  static void check(List<String> constraints) {
    for (String constraint : constraints) {
      String operator = OPERATORS.stream().filter(constraint::contains).findFirst()
          .orElseThrow(() -> ApiErrors.invalidArgument(
              "constraint expected one operator from " + String.join(", ", OPERATORS)));
      int at = constraint.indexOf(operator);
      String key = constraint.substring(0, at).strip();
      if (!KEY.matcher(key).matches()) {
        throw ApiErrors.invalidArgument("key '%s' is invalid", key);
      }
      String value = constraint.substring(at + operator.length()).strip();
      if (!VALUE.matcher(value).matches()) {
        throw ApiErrors.invalidArgument("value '%s' is invalid", value);
      }
    }
  }
}
