package dev.workflowkeeper.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP to a worker served in another process, as its operator. */
public final class WorkerHttp {

	private final int port;

	private final String adminPassword;

	public WorkerHttp(int port, String adminPassword) {
		this.port = port;
		this.adminPassword = adminPassword;
	}

	/** A JSON {@code POST}. */
	public HttpResponse<String> post(String path, String json) throws Exception {
		return HttpClient.newHttpClient()
			.send(request(path).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	public HttpResponse<String> get(String path) throws Exception {
		return HttpClient.newHttpClient().send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(String path) {
		String token = Base64.getEncoder()
			.encodeToString(("admin:" + this.adminPassword).getBytes(StandardCharsets.UTF_8));
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Authorization", "Basic " + token);
	}

}
