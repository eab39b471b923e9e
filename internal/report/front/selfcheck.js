// Self-check: collects script errors, console errors and blocked requests
// from the moment the page starts, so report.js can write a verdict into
// #cg-selfcheck once everything has drawn. Headless tests read that verdict.
(function () {
  'use strict';
  var cg = window.__cg = { errors: [], violations: [] };
  window.addEventListener('error', function (e) {
    cg.errors.push('error: ' + (e.message || String(e.error || e)) + (e.filename ? ' at ' + e.filename + ':' + e.lineno : ''));
  });
  window.addEventListener('unhandledrejection', function (e) {
    cg.errors.push('unhandled rejection: ' + String(e.reason));
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    cg.violations.push(e.violatedDirective + ' blocked ' + e.blockedURI);
  });
  var orig = console.error;
  console.error = function () {
    cg.errors.push('console.error: ' + Array.prototype.map.call(arguments, String).join(' '));
    return orig.apply(console, arguments);
  };
})();
