/* Grid report form: fill the position from the browser's geolocation when the worker allows
   it (the server checks it against the grid polygon); otherwise the grid's centre is used.
   Disable the submit button while a slow upload runs, so a report is not sent twice. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-geolocate]");
  if (!form) { return; }
  var lon = form.querySelector("input[name=lon]");
  var lat = form.querySelector("input[name=lat]");
  var text = form.querySelector("[data-geo-text]");
  function say(key) { if (text) { text.textContent = text.getAttribute("data-" + key); } }
  if (navigator.geolocation && window.isSecureContext) {
    say("wait");
    navigator.geolocation.getCurrentPosition(function (position) {
      lon.value = position.coords.longitude.toFixed(6);
      lat.value = position.coords.latitude.toFixed(6);
      say("ok");
    }, function () {
      lon.value = ""; lat.value = "";
      say("none");
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }
  var photo = form.querySelector("input[type=file]");
  var photoName = form.querySelector("[data-photo-name]");
  if (photo && photoName) {
    photo.addEventListener("change", function () {
      photoName.textContent = photo.files.length ? photo.files[0].name : "";
    });
  }
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = button.getAttribute("data-submit-text");
    }
  });
})();
