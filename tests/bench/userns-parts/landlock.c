/* Part of tests/bench/userns-parts.sh: the cost of an app's Landlock domain alone. Forks and
 * execs /bin/true 500 times: mode 0 without a domain, 1 with a MAKE_BLOCK-only domain, 2 with
 * liftoff's ruleset (MAKE_BLOCK and REFER, REFER granted below /). Prints microseconds per run. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int mode=atoi(argv[1]); int n=500; double t0=now();
  for(int i=0;i<n;i++){
    pid_t p=fork();
    if(p==0){
      if(mode>0){
        prctl(PR_SET_NO_NEW_PRIVS,1,0,0,0);
        struct landlock_ruleset_attr a={.handled_access_fs=LANDLOCK_ACCESS_FS_MAKE_BLOCK|(mode==2?LANDLOCK_ACCESS_FS_REFER:0)};
        int fd=syscall(SYS_landlock_create_ruleset,&a,sizeof a.handled_access_fs,0);
        if(mode==2){int r=open("/",O_PATH|O_CLOEXEC); struct landlock_path_beneath_attr pb={.allowed_access=LANDLOCK_ACCESS_FS_REFER,.parent_fd=r}; if(syscall(SYS_landlock_add_rule,fd,LANDLOCK_RULE_PATH_BENEATH,&pb,0)) perror("rule"); close(r);}
        if(syscall(SYS_landlock_restrict_self,fd,0)) perror("restrict");
        close(fd);
      }
      execl("/bin/true","true",NULL); _exit(1);
    }
    waitpid(p,0,0);
  }
  printf("mode %d: %.1f us per fork+exec\n",mode,(now()-t0)/n*1e6);
}
