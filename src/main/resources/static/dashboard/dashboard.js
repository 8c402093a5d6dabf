// The dashboard's behaviour: the charts of keys and memory drawn from the page's JSON island, and the launch
// dialog, which sends the operator's credentials with the one request it makes.
(function () {
	'use strict';

	// A time in UTC as the page writes it: 2026-11-25 19:00 (seconds when the reports are close).
	function utc(millis, withSeconds) {
		var text = new Date(millis).toISOString().replace('T', ' ');
		return text.substring(0, withSeconds ? 19 : 16) + ' UTC';
	}

	// One line chart of one series over time: x is the report's time (epoch milliseconds) on a
	// linear axis, so that points stand as far apart as the reports were made.
	function drawTrendChart(canvas, points, label, unitLabel, color, value) {
		var first = points.length ? points[0].x : 0;
		var last = points.length ? points[points.length - 1].x : 0;
		var withSeconds = last - first < 10 * 60 * 1000;
		return new Chart(canvas, {
			type: 'line',
			data: {
				datasets: [
					{ label: label, data: points.map(function (point) { return { x: point.x, y: value(point) }; }),
						borderColor: color, backgroundColor: color, tension: 0, pointRadius: 3 }
				]
			},
			options: {
				animation: false,
				maintainAspectRatio: false,
				interaction: { mode: 'nearest', intersect: false },
				plugins: {
					legend: { display: false },
					tooltip: { callbacks: { title: function (items) { return items.length ? utc(items[0].parsed.x, true) : ''; } } }
				},
				scales: {
					x: { type: 'linear', title: { display: true, text: 'time (UTC)' },
						ticks: { maxTicksLimit: 6, callback: function (millis) { return utc(millis, withSeconds); } } },
					y: { type: 'linear', beginAtZero: true, title: { display: true, text: unitLabel } }
				}
			}
		});
	}

	function drawMemoryCharts() {
		var island = document.getElementById('memory-trend');
		var keysCanvas = document.getElementById('keys-chart');
		var memoryCanvas = document.getElementById('memory-chart');
		if (!island || !keysCanvas || !memoryCanvas || typeof Chart === 'undefined') {
			return;
		}
		var points = JSON.parse(island.textContent || '[]').map(function (point) {
			return { x: Date.parse(point.at), keys: point.keys, bytes: point.bytes };
		});
		// Memory in the largest binary unit that keeps the peak at 1 or more.
		var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		var peak = Math.max.apply(null, points.map(function (point) { return point.bytes; }).concat([0]));
		var unit = 0;
		while (unit < units.length - 1 && peak >= Math.pow(1024, unit + 1)) {
			unit++;
		}
		drawTrendChart(keysCanvas, points, 'keys', 'keys', '#2b6cb0', function (point) { return point.keys; });
		drawTrendChart(memoryCanvas, points, 'memory', 'memory (' + units[unit] + ')', '#c05621', function (point) {
			return Math.round(point.bytes / Math.pow(1024, unit) * 100) / 100;
		});
		keysCanvas.dataset.points = String(points.length);
		memoryCanvas.dataset.points = String(points.length);
	}

	// The filters and the store apply as soon as they change; their buttons do the same without
	// scripts.
	function submitOnChange() {
		document.querySelectorAll('#execution-filters select, #store-selector select').forEach(function (select) {
			select.addEventListener('change', function () { select.form.submit(); });
		});
	}

	function basicAuthorization(user, password) {
		var bytes = new TextEncoder().encode(user + ':' + password);
		var binary = '';
		bytes.forEach(function (b) { binary += String.fromCharCode(b); });
		return 'Basic ' + btoa(binary);
	}

	function setUpLaunchDialog() {
		var dialog = document.getElementById('launch-dialog');
		var form = document.getElementById('launch-form');
		var result = document.getElementById('launch-result');
		var submit = document.getElementById('launch-submit');
		if (!dialog || !form) {
			return;
		}
		var job = null;
		document.querySelectorAll('button.launch').forEach(function (button) {
			button.addEventListener('click', function () {
				job = button.dataset.job;
				document.getElementById('launch-job').textContent = job;
				document.getElementById('launch-known-options').textContent =
					button.dataset.options ? 'Options: ' + button.dataset.options : 'No options.';
				// A job that can preview what it would do is launched as a dry run unless the
				// operator says otherwise.
				document.getElementById('launch-options').value =
					button.dataset.dryRun === 'true' ? '{"dryRun": true}' : '{}';
				document.getElementById('launch-password').value = '';
				result.textContent = '';
				result.className = '';
				dialog.showModal();
			});
		});
		document.getElementById('launch-cancel').addEventListener('click', function () {
			dialog.close();
		});
		form.addEventListener('submit', function (event) {
			event.preventDefault();
			var options = document.getElementById('launch-options').value.trim() || '{}';
			try {
				JSON.parse(options);
			}
			catch (ex) {
				show('error', 'The options are not JSON: ' + ex.message);
				return;
			}
			submit.disabled = true;
			show('', 'Launching ' + job + '…');
			var headers = {
				'Authorization': basicAuthorization(document.getElementById('launch-user').value,
					document.getElementById('launch-password').value),
				'Content-Type': 'application/json',
				'Accept': 'application/json',
				'X-Requested-With': 'XMLHttpRequest'
			};
			var csrfHeader = document.querySelector('meta[name="csrf-header"]');
			var csrfToken = document.querySelector('meta[name="csrf-token"]');
			if (csrfHeader && csrfToken) {
				headers[csrfHeader.content] = csrfToken.content;
			}
			// The credentials are the dialog's alone.
			fetch('jobs/' + encodeURIComponent(job) + '/launch', {
				method: 'POST',
				credentials: 'omit',
				headers: headers,
				body: options
			}).then(function (response) {
				return response.text().then(function (text) {
					var body = {};
					try { body = text ? JSON.parse(text) : {}; } catch (ex) { body = {}; }
					if (response.ok) {
						show('ok', job + ' started as execution ' + body.executionId + ' (' + body.status + ')');
						result.dataset.executionId = String(body.executionId);
					}
					else if (response.status === 401) {
						show('error', 'Refused (401): wrong user or password.');
					}
					else if (response.status === 403) {
						show('error', 'Refused (403): ' + (body.message || 'this user may not launch jobs.'));
					}
					else {
						show('error', 'Not launched (' + response.status + '): ' + (body.message || body.error || response.statusText));
					}
				});
			}).catch(function (ex) {
				show('error', 'Not launched: ' + ex.message);
			}).finally(function () {
				submit.disabled = false;
			});
		});

		function show(kind, text) {
			result.className = kind;
			result.textContent = text;
			if (kind !== 'ok') {
				delete result.dataset.executionId;
			}
		}
	}

	document.addEventListener('DOMContentLoaded', function () {
		drawMemoryCharts();
		submitOnChange();
		setUpLaunchDialog();
		document.body.dataset.ready = 'true';
	});
})();
