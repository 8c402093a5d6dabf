package dev.workflowkeeper.ops;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request that changes something when a browser says it comes from another
 * site: a {@code Sec-Fetch-Site} of {@code cross-site} or {@code same-site}, or an
 * {@code Origin} other than the worker's own. A page of another site could otherwise make
 * a browser that holds the operator's credentials launch a purge. Clients that are not
 * browsers (curl, Prometheus, scripts) send neither header and are judged by their
 * credentials alone.
 */
class CrossSiteRequestFilter extends OncePerRequestFilter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Set<String> SAFE_METHODS = Set.of(HttpMethod.GET.name(), HttpMethod.HEAD.name(),
			HttpMethod.OPTIONS.name(), HttpMethod.TRACE.name());

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String refusal = SAFE_METHODS.contains(request.getMethod()) ? null : refusal(request);
		if (refusal != null) {
			refuse(response, refusal);
			return;
		}
		chain.doFilter(request, response);
	}

	/** Answers 403 with the one error body of the worker's refusals. */
	static void refuse(HttpServletResponse response, String message) throws IOException {
		response.setStatus(HttpServletResponse.SC_FORBIDDEN);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.getWriter().write(JSON.writeValueAsString(ErrorBody.of(HttpServletResponse.SC_FORBIDDEN, message)));
	}

	/** Why the request is refused, or {@code null} when it is not a cross-site one. */
	static String refusal(HttpServletRequest request) {
		String site = request.getHeader("Sec-Fetch-Site");
		if (site != null) {
			String value = site.trim().toLowerCase(Locale.ROOT);
			if (value.equals("cross-site") || value.equals("same-site")) {
				return "a request from another site cannot change anything here";
			}
		}
		String origin = request.getHeader("Origin");
		if (origin != null && !origin.isBlank() && !sameOrigin(origin.trim(), request)) {
			return "a request from another origin cannot change anything here";
		}
		return null;
	}

	private static boolean sameOrigin(String origin, HttpServletRequest request) {
		if (origin.equals("null")) {
			return false;
		}
		try {
			URI uri = URI.create(origin);
			int port = (uri.getPort() != -1) ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
			return request.getScheme().equalsIgnoreCase(uri.getScheme())
					&& request.getServerName().equalsIgnoreCase(uri.getHost()) && request.getServerPort() == port;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

}
