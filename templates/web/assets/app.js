// warrantyd pages: small progressive enhancements. Every page works without this script.
//  - Forms marked data-enter-next: Enter in a field moves to the next empty required field
//    instead of submitting a half-filled form (a barcode scanner ends each scan with Enter);
//    Enter submits only when every required field has a value.
//  - Forms marked data-once: the submit button is disabled after the first submission
//    (the server also answers a repeated submission with the first one's result).
//  - The error summary takes focus, so screen readers announce it.
//  - Selects marked data-shows: the chosen option's data-needs names the date fields to show.
//  - Buttons marked data-print print the page.
(function () {
  'use strict';

  function filled(el) {
    if (el.type === 'checkbox' || el.type === 'radio') return true;
    return el.value.trim() !== '';
  }

  function visible(el) {
    return !el.disabled && el.type !== 'hidden' && el.offsetParent !== null;
  }

  document.querySelectorAll('form[data-enter-next]').forEach(function (form) {
    form.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter' || event.target.tagName === 'TEXTAREA' || event.target.tagName === 'BUTTON') return;
      var fields = Array.prototype.filter.call(form.elements, function (el) {
        return (el.tagName === 'INPUT' || el.tagName === 'SELECT') && visible(el);
      });
      var missing = fields.filter(function (el) { return el.required && !filled(el); });
      if (missing.length === 0) return; // complete: let Enter submit
      event.preventDefault();
      var here = fields.indexOf(event.target);
      var next = missing.find(function (el) { return fields.indexOf(el) > here; }) || missing[0];
      next.focus();
    });
  });

  document.querySelectorAll('form[data-once]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var buttons = form.querySelectorAll('button[type=submit]');
      // Disabled after this tick, so the clicked button's value is still sent.
      setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; b.setAttribute('aria-disabled', 'true'); });
      }, 0);
    });
  });

  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  document.querySelectorAll('[data-shows]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    function update() {
      var needs = '';
      if (list) {
        Array.prototype.forEach.call(list.options, function (o) {
          if (o.value === input.value) needs = o.getAttribute('data-needs') || '';
        });
      }
      input.getAttribute('data-shows').split(' ').forEach(function (id) {
        var field = document.getElementById('field-' + id);
        if (!field) return;
        var input = document.getElementById(id);
        var show = needs.split(' ').indexOf(id) >= 0 || (input && input.value !== '');
        field.hidden = !show;
        if (input) input.required = needs.split(' ').indexOf(id) >= 0;
      });
    }
    input.addEventListener('input', update);
    input.addEventListener('change', update);
    update();
  });

  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
})();
