// lint must report: no-restricted-syntax
// The widget's phone-number linking before it was rewritten: Safari before 16.4 throws a
// SyntaxError at `new RegExp`, and the crisis reply was never shown.
function linkPattern(numbers, escapeRegExp) {
  var alternatives = numbers.map(function (n) {
    return "(?<![\\w-])" + escapeRegExp(n.text) + "(?![\\w-])";
  });
  return new RegExp(alternatives.join("|") || "(?!)", "g");
}
linkPattern([], String);
