# Sourced by the benchmark scripts: start_nginx DIR BLOCKS starts one nginx (a worker per core, no logging, its
# files below DIR, its pid in DIR/nginx.pid) whose http block holds BLOCKS (upstreams and servers).
start_nginx() {
  local dir="$1" blocks="$2"
  mkdir -p "$dir/nginx"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx; proxy_temp_path $dir/nginx; fastcgi_temp_path $dir/nginx;
  uwsgi_temp_path $dir/nginx; scgi_temp_path $dir/nginx;
$blocks
}
NGINX
  nginx -c "$dir/nginx.conf"
}
