// The dashboard's behaviour: the memory chart drawn from the page's JSON island, and the launch
// dialog, which sends the operator's credentials with the one request it makes.
(function () {
	'use strict';

	function drawMemoryChart() {
		var island = document.getElementById('memory-trend');
		var canvas = document.getElementById('memory-chart');
		if (!island || !canvas || typeof Chart === 'undefined') {
			return;
		}
		var points = JSON.parse(island.textContent || '[]');
		// Memory in the largest binary unit that keeps the peak at 1 or more.
		var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		var peak = Math.max.apply(null, points.map(function (point) { return point.bytes; }).concat([0]));
		var unit = 0;
		while (unit < units.length - 1 && peak >= Math.pow(1024, unit + 1)) {
			unit++;
		}
		var inUnit = function (bytes) { return Math.round(bytes / Math.pow(1024, unit) * 100) / 100; };
		new Chart(canvas, {
			type: 'line',
			data: {
				labels: points.map(function (point) { return point.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''); }),
				datasets: [
					{ label: 'keys', data: points.map(function (point) { return point.keys; }), yAxisID: 'keys',
						borderColor: '#2b6cb0', backgroundColor: '#2b6cb0', tension: 0.2 },
					{ label: 'memory (' + units[unit] + ')', data: points.map(function (point) { return inUnit(point.bytes); }),
						yAxisID: 'bytes', borderColor: '#c05621', backgroundColor: '#c05621', tension: 0.2 }
				]
			},
			options: {
				animation: false,
				maintainAspectRatio: false,
				interaction: { mode: 'index', intersect: false },
				scales: {
					keys: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'keys' } },
					bytes: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false },
						title: { display: true, text: units[unit] } }
				}
			}
		});
		canvas.dataset.points = String(points.length);
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
		drawMemoryChart();
		setUpLaunchDialog();
		document.body.dataset.ready = 'true';
	});
})();
